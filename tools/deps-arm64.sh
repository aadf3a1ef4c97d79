#!/usr/bin/env bash
# tools/deps-arm64.sh - what arm64 builds need beyond packages: static libraries and a sysroot.
#
# Called by tools/deps.sh after the packages (gcc-aarch64-linux-gnu, qemu-user-static,
# libuv1-dev:arm64) are installed. Builds, each only when absent:
#   BUILD/arm64/libcjson.a, BUILD/arm64/libhttp_parser.a   from Debian's source packages (cJSON
#                            with its error position thread-local, as deps.sh does for amd64)
#   BUILD/sysroot-arm64/     libcriterion-dev:arm64 and its runtime closure, unpacked (it cannot
#                            be installed beside the amd64 one; see toolchain.md §3)
# libuv's arm64 static archive comes from libuv1-dev:arm64 (libuv_a.a, pkg-config libuv-static
# with PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig).
#
# Usage: tools/deps-arm64.sh BUILD_DIR     (absolute)
set -euo pipefail

build=$1
cc=aarch64-linux-gnu-gcc
out=$build/arm64
mkdir -p "$out"
# shellcheck source=tools/debsrc.sh
. "$(dirname "$0")/debsrc.sh"

static_lib() { # LIBNAME SOURCE.c DIR: lib$1.a from $2 (DIR: its source package, for the message)
  local lib=$out/lib$1.a
  $cc -O2 -I"$3" -c "$2" -o "$out/$1.o"
  aarch64-linux-gnu-ar rcs "$lib.tmp" "$out/$1.o" && mv "$lib.tmp" "$lib"
  echo "deps: built $lib from $(basename "$3")" >&2
}

# cJSON thread-local, as for amd64 (cjson_tls_c); the marker tells an older archive.
if [ ! -f "$out/libcjson.a" ] || [ ! -f "$out/cJSON.tls" ]; then
  dir=$(debsrc_dir "$build" cjson)
  cjson_tls_c "$dir" "$out/cJSON_tls.c"
  static_lib cjson "$out/cJSON_tls.c" "$dir"
  touch "$out/cJSON.tls"
fi
if [ ! -f "$out/libhttp_parser.a" ]; then
  dir=$(debsrc_dir "$build" http-parser)
  static_lib http_parser "$dir/http_parser.c" "$dir"
fi

sysroot=$build/sysroot-arm64
if [ ! -f "$sysroot/.complete" ]; then
  debs=$build/debs-arm64
  rm -rf "$sysroot" "$debs"
  mkdir -p "$sysroot" "$debs"
  # libcriterion3's runtime closure, less what libc6:arm64 (pulled in by libuv1-dev:arm64)
  # already provides on the system.
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances libcriterion3:arm64 | grep -E '^[a-z0-9].*:arm64$' \
    | grep -vE '^(libc6|libgcc-s1|gcc-12-base):' | sort -u)
  # shellcheck disable=SC2086 # one word per package
  (cd "$debs" && apt-get -q -o APT::Sandbox::User=root download libcriterion-dev:arm64 $pkgs >/dev/null)
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$sysroot"; done
  # Only libraries and headers are needed; configuration folders such as etc/gss/mech.d would
  # look like dependency files to the Makefile's `find build -name '*.d'`.
  rm -rf "$sysroot/etc" "$sysroot/usr/share"
  touch "$sysroot/.complete"
  echo "deps: unpacked Criterion for arm64 into $sysroot" >&2
fi
