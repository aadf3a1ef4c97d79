#!/usr/bin/env bash
# infra/rollback.sh - put an environment back on the release before the live one.
#
# Reads the live ImageDigest from the service stack and the release history (SSM parameter
# /bidgate/ENV/releases, written by deploy.sh), picks the release before the live one (or the one
# --to names), updates the service stack with that digest and the stack's own previous template
# (so a rollback changes the image and nothing else), waits for CloudFormation and ECS, and
# drops the rolled-back releases from the history so a second rollback goes further back.
#
# Usage: infra/rollback.sh --env ENV [--to DIGEST] [--region REGION] [--dry-run]
#   make rollback ENV=ENV [ROLLBACK_FLAGS="--dry-run ..."]
# Environment (flags win): BIDGATE_ENV, AWS_REGION or AWS_DEFAULT_REGION, AWS (the AWS CLI,
#   /usr/bin/aws). Prints its plan first and stops at the first error.
set -euo pipefail
PROG=rollback.sh
# shellcheck source=infra/release-lib.sh
. "$(dirname "$0")/release-lib.sh"

usage() { sed -n '/^# Usage:/,/^[^#]/s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }

ENV_NAME=${BIDGATE_ENV:-} TO=""
while [ $# -gt 0 ]; do
  case $1 in
    --env) ENV_NAME=${2:?--env needs a value}; shift 2 ;;
    --to) TO=${2:?--to needs a digest}; shift 2 ;;
    --region) REGION=${2:?--region needs a value}; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage 0 ;;
    *) printf '%s: unknown argument %s\n' "$PROG" "$1" >&2; usage 1 >&2 ;;
  esac
done
[ -n "$ENV_NAME" ] || die "no environment: pass --env ENV (ENV=ENV with make)"
check_env_name "$ENV_NAME"
require_region
[ -z "$TO" ] || [[ $TO =~ ^sha256:[0-9a-f]{64}$ ]] || die "bad --to '$TO' (want sha256:<64 hex digits>)"
STACK=$(stack_of service)

say "rollback: environment $ENV_NAME in $REGION$([ "$DRY_RUN" = 1 ] && printf ' (dry run: nothing changes)')"
say "plan:"
say "  1. read the live digest from stack $STACK and the history from $(history_name)"
say "  2. update stack $STACK (previous template) with the digest of the release before it${TO:+ ($TO)}"
say "  3. wait for the stack and for ECS service bidgate-$ENV_NAME, then report"
say "  4. drop the rolled-back releases from the history"

say "state:"
# Under --dry-run the lookups below must answer: there is nothing to preview without them.
current=$(DRY_RUN=0 stack_parameter "$STACK" ImageDigest "")
history=$(history_read)
[ -n "$history" ] || die "no release history in $(history_name): nothing to roll back to"
say "  live: $current"
mapfile -t lines <<< "$history"
live=-1
for i in "${!lines[@]}"; do [ "${lines[$i]%% *}" = "$current" ] && live=$i; done
[ "$live" -ge 0 ] || die "the live digest $current is not in $(history_name); name a release with --to"
target=-1
if [ -n "$TO" ]; then
  for i in "${!lines[@]}"; do [ "$i" -lt "$live" ] && [ "${lines[$i]%% *}" = "$TO" ] && target=$i; done
  [ "$target" -ge 0 ] || die "$TO is not a release before the live one in $(history_name)"
else
  target=$((live - 1))
  [ "$target" -ge 0 ] || die "the live release is the oldest in $(history_name): nothing to roll back to"
fi
read -r digest model tag _ <<< "${lines[$target]}"
say "  back to: $digest (model $model, tag $tag)"

keys=$(DRY_RUN=0 look "" "$AWS" cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
  --query 'Stacks[0].Parameters[].ParameterKey' --output text)
params=("ParameterKey=ImageDigest,ParameterValue=$digest" "ParameterKey=ModelName,ParameterValue=$model"
        "ParameterKey=ReleaseTag,ParameterValue=$tag")
for k in $keys; do
  case $k in ImageDigest|ModelName|ReleaseTag) ;; *) params+=("ParameterKey=$k,UsePreviousValue=true") ;; esac
done

say "stack:"
run "$AWS" cloudformation update-stack --region "$REGION" --stack-name "$STACK" --use-previous-template \
  --capabilities CAPABILITY_NAMED_IAM --parameters "${params[@]}"
run "$AWS" cloudformation wait stack-update-complete --region "$REGION" --stack-name "$STACK"

say "rollout:"
wait_and_report

say "history:"
history_write "$(printf '%s\n' "${lines[@]:0:target+1}")"
if [ "$DRY_RUN" = 1 ]; then
  say "dry run done: nothing was changed"
else
  say "done: environment $ENV_NAME runs $model ($digest) again"
fi
