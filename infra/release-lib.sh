# infra/release-lib.sh - what infra/deploy.sh and infra/rollback.sh share; sourced, never run.
#
# Naming: every environment ENV has the stacks bidgate-ENV-{network,cluster,service,observability},
# the cluster and service bidgate-ENV, and its release history in the SSM parameter
# /bidgate/ENV/releases; the image repository stack (bidgate-ecr) is shared by all environments.
#
# Release history: one line per release that went live, oldest first, at most HISTORY_MAX lines:
#   <image digest> <model> <image tag> <UTC time>
# deploy.sh appends a line after a rollout succeeds; rollback.sh goes back to the line before the
# live digest and drops the lines after it, so a second rollback goes one release further back.
#
# Commands: `run` for anything that changes something (printed, and skipped under --dry-run),
# `look` for read-only AWS queries (run even under --dry-run; there a failed query yields a
# placeholder so a first deployment can be previewed). Both stop the script on failure.
# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are used by the scripts that source this file.)

HISTORY_MAX=20
DRY_RUN=${DRY_RUN:-0}
AWS=${AWS:-/usr/bin/aws}
MAKE=${MAKE:-make}
SKOPEO=${SKOPEO:-skopeo}
ECR_STACK=${BIDGATE_ECR_STACK:-bidgate-ecr}
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

# The command line as a shell would read it back.
quoted() { local out; printf -v out '%q ' "$@"; printf '%s' "${out% }"; }

run() {
  if [ "$DRY_RUN" = 1 ]; then say "  would run: $(quoted "$@")"; return 0; fi
  say "  + $(quoted "$@")"
  "$@" || die "failed (exit $?): $(quoted "$@")"
}

# look PLACEHOLDER CMD...: the command's stdout (trimmed); under --dry-run a failure gives PLACEHOLDER.
look() {
  local placeholder=$1 out rc=0
  shift
  out=$("$@" 2>"$TMP/look.err") || rc=$?
  if [ "$rc" -ne 0 ]; then
    if [ "$DRY_RUN" = 1 ]; then
      say "  (dry run: $(quoted "$@") failed: $(head -c 200 "$TMP/look.err"); using $placeholder)" >&2
      printf '%s' "$placeholder"; return 0
    fi
    die "failed (exit $rc): $(quoted "$@"): $(cat "$TMP/look.err")"
  fi
  printf '%s' "$out" | tr -d '\r' | sed -e 's/[[:space:]]*$//'
}

require_region() {
  [ -n "$REGION" ] || die "no region: pass --region or set AWS_REGION"
}

check_env_name() {
  [[ $1 =~ ^[a-z][a-z0-9-]{1,20}$ ]] || die "bad environment name '$1' (lower case letters, digits, -; 2 to 21 characters)"
}

stack_of() { printf 'bidgate-%s-%s' "$ENV_NAME" "$1"; }

# stack_output STACK KEY PLACEHOLDER
stack_output() {
  look "$3" "$AWS" cloudformation describe-stacks --region "$REGION" --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}

# stack_parameter STACK KEY PLACEHOLDER
stack_parameter() {
  look "$3" "$AWS" cloudformation describe-stacks --region "$REGION" --stack-name "$1" \
    --query "Stacks[0].Parameters[?ParameterKey=='$2'].ParameterValue" --output text
}

history_name() { printf '/bidgate/%s/releases' "$ENV_NAME"; }

# The release history, empty when the parameter does not exist yet.
history_read() {
  local out rc=0
  out=$("$AWS" ssm get-parameter --region "$REGION" --name "$(history_name)" \
        --query Parameter.Value --output text 2>"$TMP/ssm.err") || rc=$?
  if [ "$rc" -ne 0 ]; then
    grep -q ParameterNotFound "$TMP/ssm.err" && return 0
    [ "$DRY_RUN" = 1 ] && { say "  (dry run: cannot read $(history_name): $(head -c 200 "$TMP/ssm.err"))" >&2; return 0; }
    die "cannot read $(history_name): $(cat "$TMP/ssm.err")"
  fi
  printf '%s\n' "$out" | tr -d '\r' | grep -E '^sha256:[0-9a-f]{64} ' || true
}

# history_write TEXT: keep the newest HISTORY_MAX lines.
history_write() {
  local value
  value=$(printf '%s\n' "$1" | grep -v '^$' | tail -n "$HISTORY_MAX")
  run "$AWS" ssm put-parameter --region "$REGION" --name "$(history_name)" --type String \
    --overwrite --value "$value"
}

wait_and_report() {
  local cluster service state
  cluster="bidgate-$ENV_NAME" service="bidgate-$ENV_NAME"
  run "$AWS" ecs wait services-stable --region "$REGION" --cluster "$cluster" --services "$service"
  state=$(look "<service state>" "$AWS" ecs describe-services --region "$REGION" --cluster "$cluster" \
    --services "$service" --query \
    'services[0].[taskDefinition,runningCount,desiredCount,deployments[0].rolloutState]' --output text)
  say "service $service: $state (task definition, running, desired, rollout)"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
