#!/usr/bin/env bash
# infra/push.sh - copy an OCI image layout (make image) to a registry with skopeo.
#
# Usage: infra/push.sh --layout DIR --ref TAG --registry HOST/REPO --tag T [--tag T ...]
#
# Pushes the whole multi-arch index (skopeo copy --all) under every --tag and prints the pushed
# index digest (it equals the layout's: the bytes are copied unchanged). Amazon ECR registries
# (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO) are logged in with
# `aws ecr get-login-password --region REGION` into a private auth file under build/; the
# token never appears in the process list. REGISTRY_INSECURE=1 (or a 127.0.0.1 / localhost
# registry) turns TLS verification off, for a local test registry only.
set -euo pipefail

layout="" ref="" registry="" tags=()
while [ $# -gt 0 ]; do
  case $1 in
    --layout) layout=$2; shift 2 ;;
    --ref) ref=$2; shift 2 ;;
    --registry) registry=$2; shift 2 ;;
    --tag) tags+=("$2"); shift 2 ;;
    *) echo "push.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$layout" ] && [ -n "$ref" ] || { echo "push.sh: --layout and --ref are required" >&2; exit 2; }
[ -n "$registry" ] || { echo "push.sh: REGISTRY=host/repo is required (e.g. make push REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com/bidgate)" >&2; exit 2; }
[ ${#tags[@]} -gt 0 ] || { echo "push.sh: at least one --tag" >&2; exit 2; }
[ -f "$layout/index.json" ] || { echo "push.sh: $layout is not an OCI layout (run make image)" >&2; exit 1; }

host=${registry%%/*}
AWS=${AWS:-/usr/bin/aws}
export REGISTRY_AUTH_FILE=${REGISTRY_AUTH_FILE:-$PWD/build/registry-auth.json}
tls=()
case $host in
  127.0.0.1:*|localhost:*|127.0.0.1|localhost) tls=(--dest-tls-verify=false) ;;
esac
[ "${REGISTRY_INSECURE:-0}" = 1 ] && tls=(--dest-tls-verify=false)

if [[ $host =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$ ]]; then
  region=${BASH_REMATCH[1]}
  echo "push: logging in to Amazon ECR $host (region $region)" >&2
  "$AWS" ecr get-login-password --region "$region" |
    skopeo login --authfile "$REGISTRY_AUTH_FILE" --username AWS --password-stdin "$host" >&2
fi

digest=""
for t in "${tags[@]}"; do
  echo "push: oci:$layout:$ref -> docker://$registry:$t" >&2
  dfile=$(mktemp)
  skopeo copy --all --retry-times 3 "${tls[@]}" --digestfile "$dfile" \
    "oci:$layout:$ref" "docker://$registry:$t" >&2
  digest=$(cat "$dfile")
  rm -f "$dfile"
done
echo "$registry@$digest"
