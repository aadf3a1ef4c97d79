#!/usr/bin/env bash
# infra/deploy.sh - roll one model release out to one environment.
#
# Makes sure the repository stack exists, pushes the model's image (`make push`, skipped when the
# tag is already in the repository: tags are immutable), deploys the network, cluster, service
# and observability stacks with the image's digest as the service's ImageDigest, waits for ECS to
# report the service stable, records the release in the history rollback.sh reads, and reports.
# With --service-only (what CI does) only the image and the service stack are touched.
# Every stack is deployed with `aws cloudformation deploy`, so a first deployment and a release
# are the same command, and stacks with nothing to change are left as they are.
#
# Usage: infra/deploy.sh --model NAME --env ENV [--tag TAG] [--region REGION] [--service-only]
#                        [--param STACK:Key=Value]... [--dry-run]
#   make deploy MODEL=NAME ENV=ENV [DEPLOY_FLAGS="--dry-run ..."]
# --param passes a template parameter to one stack (ecr, network, cluster, service,
#   observability), e.g. --param network:ExistingVpcId=vpc-0abc --param service:Scheme=internet-facing;
#   parameters not given keep their current value (cloudformation deploy does that). The Thrift
#   endpoint: --param service:ThriftPort=9090 [--param service:ThriftTransport=framed]; off again
#   with --param service:ThriftPort=off (docs/deploy.md).
# --tag defaults to NAME-<git revision>; without --tag the work tree must be clean.
# Environment (flags win): BIDGATE_MODEL, BIDGATE_ENV, BIDGATE_TAG, AWS_REGION or
#   AWS_DEFAULT_REGION, BIDGATE_ECR_STACK (bidgate-ecr), AWS (the AWS CLI, /usr/bin/aws), MAKE,
#   SKOPEO. Prints its plan first and stops at the first error.
set -euo pipefail
PROG=deploy.sh
# shellcheck source=infra/release-lib.sh
. "$(dirname "$0")/release-lib.sh"

usage() { sed -n '/^# Usage:/,/^[^#]/s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }

MODEL=${BIDGATE_MODEL:-} ENV_NAME=${BIDGATE_ENV:-} TAG=${BIDGATE_TAG:-} SERVICE_ONLY=0
declare -A PARAMS=([ecr]="" [network]="" [cluster]="" [service]="" [observability]="")
while [ $# -gt 0 ]; do
  case $1 in
    --model) MODEL=${2:?--model needs a value}; shift 2 ;;
    --env) ENV_NAME=${2:?--env needs a value}; shift 2 ;;
    --tag) TAG=${2:?--tag needs a value}; shift 2 ;;
    --region) REGION=${2:?--region needs a value}; shift 2 ;;
    --service-only) SERVICE_ONLY=1; shift ;;
    --param)
      p=${2:?--param needs STACK:Key=Value}; shift 2
      [[ $p =~ ^(ecr|network|cluster|service|observability):[A-Za-z0-9]+=.*$ ]] \
        || die "bad --param '$p' (want STACK:Key=Value, STACK one of ecr network cluster service observability)"
      PARAMS[${p%%:*}]+=" ${p#*:}" ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage 0 ;;
    *) printf '%s: unknown argument %s\n' "$PROG" "$1" >&2; usage 1 >&2 ;;
  esac
done

ROOT=$(cd "$INFRA_DIR/.." && pwd)
[ -n "$MODEL" ] || die "no model: pass --model NAME (MODEL=NAME with make)"
[ -f "$ROOT/models/$MODEL/model.json" ] || die "no model $MODEL: models/$MODEL/model.json not found"
[ -n "$ENV_NAME" ] || die "no environment: pass --env ENV (ENV=ENV with make)"
check_env_name "$ENV_NAME"
require_region
if [ -z "$TAG" ]; then
  rev=$(git -C "$ROOT" rev-parse --short=12 HEAD) || die "no --tag and no git revision to make one"
  if [ "$DRY_RUN" != 1 ] && [ -n "$(git -C "$ROOT" status --porcelain)" ]; then
    die "the work tree has uncommitted changes: commit them, or name the image with --tag"
  fi
  TAG="$MODEL-$rev"
fi
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "bad image tag '$TAG'"

# deploy_stack NAME TEMPLATE CAPABILITY|- KEY=VALUE...
deploy_stack() {
  local stack=$1 template=$2 cap=$3 extra
  shift 3
  local args=(cloudformation deploy --region "$REGION" --stack-name "$stack"
              --template-file "$INFRA_DIR/$template" --no-fail-on-empty-changeset)
  [ "$cap" = - ] || args+=(--capabilities "$cap")
  read -r -a extra <<< "${PARAMS[${template%.yaml}]}"
  if [ $# -gt 0 ] || [ ${#extra[@]} -gt 0 ]; then args+=(--parameter-overrides "$@" "${extra[@]}"); fi
  run "$AWS" "${args[@]}"
}

# The digest of TAG in the repository, empty if the tag is not there.
image_digest() {
  local out rc=0
  out=$("$AWS" ecr describe-images --region "$REGION" --repository-name "$REPO_NAME" \
        --image-ids "imageTag=$TAG" --query 'imageDetails[0].imageDigest' --output text 2>"$TMP/ecr.err") || rc=$?
  if [ "$rc" -ne 0 ]; then
    grep -q -e ImageNotFoundException -e RepositoryNotFoundException "$TMP/ecr.err" && return 0
    [ "$DRY_RUN" = 1 ] && return 0
    die "cannot look up $TAG: $(cat "$TMP/ecr.err")"
  fi
  printf '%s' "$out" | tr -d '\r\n '
}

say "deploy: model $MODEL (image tag $TAG) to environment $ENV_NAME in $REGION$([ "$DRY_RUN" = 1 ] && printf ' (dry run: nothing changes)')"
say "plan:"
n=0
step() { n=$((n + 1)); say "  $n. $*"; }
[ "$SERVICE_ONLY" = 1 ] || step "stack $ECR_STACK (infra/ecr.yaml): create or update the image repository"
step "image: make push MODEL=$MODEL TAG=$TAG to the repository, unless the tag is there already"
[ "$SERVICE_ONLY" = 1 ] || step "stacks $(stack_of network), $(stack_of cluster): create or update"
step "stack $(stack_of service): the task definition takes the image's digest; ECS rolls it out"
[ "$SERVICE_ONLY" = 1 ] || step "stack $(stack_of observability): dashboard and alarms"
step "wait until ECS service bidgate-$ENV_NAME is stable, then report"
step "append the release to SSM parameter $(history_name)"

say "repository:"
[ "$SERVICE_ONLY" = 1 ] || deploy_stack "$ECR_STACK" ecr.yaml -
REPO_URI=$(stack_output "$ECR_STACK" RepositoryUri "<RepositoryUri of $ECR_STACK>")
[ -n "$REPO_URI" ] || die "stack $ECR_STACK has no RepositoryUri output"
REPO_HOST=${REPO_URI%%/*} REPO_NAME=${REPO_URI#*/}

say "image $REPO_URI:$TAG:"
DIGEST=$(image_digest)
if [ -n "$DIGEST" ] && [ "$DIGEST" != None ]; then
  say "  already in the repository ($DIGEST): not pushed again"
else
  if [ "$DRY_RUN" = 1 ]; then
    say "  would run: $(quoted "$AWS" ecr get-login-password --region "$REGION") | $(quoted "$SKOPEO" login --username AWS --password-stdin "$REPO_HOST")"
  else
    say "  + $(quoted "$AWS" ecr get-login-password --region "$REGION") | $(quoted "$SKOPEO" login --username AWS --password-stdin "$REPO_HOST")"
    "$AWS" ecr get-login-password --region "$REGION" | "$SKOPEO" login --username AWS --password-stdin "$REPO_HOST" \
      || die "registry login to $REPO_HOST failed"
  fi
  run "$MAKE" -C "$ROOT" push "MODEL=$MODEL" "REGISTRY=$REPO_URI" "TAG=$TAG"
  if [ "$DRY_RUN" = 1 ]; then DIGEST="<digest of $TAG>"; else DIGEST=$(image_digest); fi
fi
[ "$DRY_RUN" = 1 ] || [[ $DIGEST =~ ^sha256:[0-9a-f]{64}$ ]] || die "no digest for $REPO_URI:$TAG after the push (got '$DIGEST')"
say "  digest $DIGEST"

say "stacks:"
if [ "$SERVICE_ONLY" != 1 ]; then
  deploy_stack "$(stack_of network)" network.yaml - "EnvName=$ENV_NAME"
  deploy_stack "$(stack_of cluster)" cluster.yaml CAPABILITY_NAMED_IAM "EnvName=$ENV_NAME"
fi
deploy_stack "$(stack_of service)" service.yaml CAPABILITY_NAMED_IAM "EnvName=$ENV_NAME" \
  "EcrStackName=$ECR_STACK" "ImageDigest=$DIGEST" "ModelName=$MODEL" "ReleaseTag=$TAG"
[ "$SERVICE_ONLY" = 1 ] || deploy_stack "$(stack_of observability)" observability.yaml - "EnvName=$ENV_NAME"

say "rollout:"
wait_and_report

say "history:"
history=$(history_read)
if [ "$(printf '%s\n' "$history" | tail -n 1 | cut -d' ' -f1)" = "$DIGEST" ]; then
  say "  $DIGEST is already the newest entry"
else
  history_write "$history
$DIGEST $MODEL $TAG $(date -u +%Y-%m-%dT%H:%M:%SZ)"
fi

dns=$(stack_output "$(stack_of service)" LoadBalancerDNS "<LoadBalancerDNS>")
# The stack has this output only while its ThriftPort is on.
thrift=$(stack_output "$(stack_of service)" ThriftEndpoint "<ThriftEndpoint, if ThriftPort is on>")
if [ "$DRY_RUN" = 1 ]; then
  say "dry run done: nothing was changed; the service would serve on $dns"
else
  say "done: $MODEL ($DIGEST) serves on $dns; roll back with: make rollback ENV=$ENV_NAME"
fi
if [ -n "$thrift" ] && [ "$thrift" != None ]; then
  say "  Thrift (BidRequestFilter.filter) on $thrift"
fi
