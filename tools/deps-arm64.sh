#!/usr/bin/env bash
# tools/deps-arm64.sh - what arm64 builds need beyond packages: static libraries and a sysroot.
#
# Called by tools/deps.sh after the packages (gcc-aarch64-linux-gnu, qemu-user-static,
# libuv1-dev:arm64) are installed. Builds, each only when absent:
#   BUILD/arm64/libcjson.a, BUILD/arm64/libhttp_parser.a   from Debian's source packages
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

static_lib() { # PACKAGE SOURCE.c LIBNAME
  local lib=$out/lib$3.a
  [ -f "$lib" ] && return 0
  local dir
  dir=$(debsrc_dir "$build" "$1")
  $cc -O2 -c "$dir/$2" -o "$out/$3.o"
  aarch64-linux-gnu-ar rcs "$lib.tmp" "$out/$3.o" && mv "$lib.tmp" "$lib"
  echo "deps: built $lib from $(basename "$dir")" >&2
}

static_lib cjson cJSON.c cjson
static_lib http-parser http_parser.c http_parser

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
