#!/usr/bin/env bash
# infra/image.sh - write a multi-arch OCI image layout holding one static bidgate binary.
#
# Usage: infra/image.sh --out DIR --tag TAG --model NAME --model-sha256 HEX --xgbc VERSION \
#          --revision REV --created EPOCH [--source URL] ARCH=BINARY [ARCH=BINARY ...]
#
# Each image is FROM scratch: one layer with /bidgate (0755, owner 0:0), run as the numeric
# non-root user 65532, port 8080, entrypoint /bidgate serve. It also exposes 9090, the port the
# Thrift endpoint (docs/thrift.md) uses when a deployment turns it on with BIDGATE_THRIFT_PORT=9090;
# exposing is metadata only, the image itself sets no BIDGATE_THRIFT_PORT, so Thrift stays off.
# No daemon, no container runtime:
# the layout is written with tar, gzip -n, sha256sum and jq, every timestamp is EPOCH (the last
# commit's time), so the same binaries always give the same digests. skopeo reads the result
# (oci:DIR:TAG) and pushes it unchanged. infra/Dockerfile describes the same image for people
# who build with Docker.
set -euo pipefail

out="" tag="" model="" model_sha="" xgbc="" revision="" created="" source="https://github.com/bidgate/bidgate"
bins=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --model-sha256) model_sha=$2; shift 2 ;;
    --xgbc) xgbc=$2; shift 2 ;;
    --revision) revision=$2; shift 2 ;;
    --created) created=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    *=*) bins+=("$1"); shift ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in out tag model model_sha xgbc revision created; do
  [ -n "${!v}" ] || { echo "image.sh: --${v//_/-} is required" >&2; exit 2; }
done
[ ${#bins[@]} -gt 0 ] || { echo "image.sh: give at least one ARCH=BINARY" >&2; exit 2; }

date_iso=$(date -u -d "@$created" +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"

# Store stdin as a blob; print "sha256:HEX SIZE".
put_blob() {
  local tmp="$work/blob" sum size
  cat > "$tmp"
  sum=$(sha256sum "$tmp" | cut -d' ' -f1)
  size=$(stat -c %s "$tmp")
  mv "$tmp" "$out/blobs/sha256/$sum"
  echo "sha256:$sum $size"
}

labels=$(jq -nS --arg rev "$revision" --arg src "$source" --arg created "$date_iso" \
  --arg model "$model" --arg sha "$model_sha" --arg xgbc "$xgbc" '{
    "org.opencontainers.image.title": "bidgate",
    "org.opencontainers.image.description": ("bidgate serving model " + $model),
    "org.opencontainers.image.revision": $rev,
    "org.opencontainers.image.source": $src,
    "org.opencontainers.image.created": $created,
    "org.opencontainers.image.version": ($model + "@" + $sha[0:8]),
    "io.bidgate.model.name": $model,
    "io.bidgate.model.sha256": $sha,
    "io.bidgate.xgbc.version": $xgbc
  }')

manifests="[]"
for pair in "${bins[@]}"; do
  arch=${pair%%=*} bin=${pair#*=}
  case $arch in amd64|arm64) ;; *) echo "image.sh: unsupported arch $arch" >&2; exit 2 ;; esac
  [ -x "$bin" ] || { echo "image.sh: $bin is not an executable" >&2; exit 1; }
  if ! file -L "$bin" | grep -q 'statically linked'; then
    echo "image.sh: $bin is not statically linked; a FROM scratch image has no libc" >&2
    exit 1
  fi
  root="$work/root-$arch"
  mkdir -p "$root"
  install -m 0755 "$bin" "$root/bidgate"
  # Symbols are for debugging the build tree's binary, not for shipping.
  strip_cmd=strip
  [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && strip_cmd=aarch64-linux-gnu-strip
  "$strip_cmd" "$root/bidgate"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$created" --format=posix \
      --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
      -C "$root" -cf "$work/layer-$arch.tar" bidgate
  diff_id=sha256:$(sha256sum "$work/layer-$arch.tar" | cut -d' ' -f1)
  read -r layer_digest layer_size < <(gzip -9 -n -c "$work/layer-$arch.tar" | put_blob)
  variant=""
  [ "$arch" = arm64 ] && variant=v8
  read -r config_digest config_size < <(jq -cjS -n --arg arch "$arch" --arg variant "$variant" \
    --arg created "$date_iso" --arg diff "$diff_id" --argjson labels "$labels" '{
      created: $created, architecture: $arch, os: "linux",
      config: {
        User: "65532:65532",
        ExposedPorts: {"8080/tcp": {}, "9090/tcp": {}},
        Entrypoint: ["/bidgate"],
        Cmd: ["serve"],
        Env: ["BIDGATE_PORT=8080"],
        WorkingDir: "/",
        Labels: $labels
      },
      rootfs: {type: "layers", diff_ids: [$diff]},
      history: [{created: $created, created_by: "infra/image.sh: COPY bidgate /bidgate"}]
    } + (if $variant == "" then {} else {variant: $variant} end)' | put_blob)
  read -r manifest_digest manifest_size < <(jq -cjS -n \
    --arg cd "$config_digest" --argjson cs "$config_size" \
    --arg ld "$layer_digest" --argjson ls "$layer_size" --argjson labels "$labels" '{
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $ld, size: $ls}],
      annotations: $labels
    }' | put_blob)
  manifests=$(jq -cS --arg d "$manifest_digest" --argjson s "$manifest_size" --arg arch "$arch" \
    --arg variant "$variant" '. + [{
      mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
      platform: ({os: "linux", architecture: $arch}
                 + (if $variant == "" then {} else {variant: $variant} end))
    }]' <<<"$manifests")
done

read -r index_digest index_size < <(jq -cjS -n --argjson m "$manifests" --argjson labels "$labels" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: $m,
    annotations: $labels
  }' | put_blob)
jq -cjS -n --arg d "$index_digest" --argjson s "$index_size" --arg tag "$tag" '{
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
                 annotations: {"org.opencontainers.image.ref.name": $tag}}]
  }' > "$out/index.json"
echo "$index_digest"
