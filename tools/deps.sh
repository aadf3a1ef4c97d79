#!/usr/bin/env bash
# tools/deps.sh - install what bidgate needs to build and test, and nothing twice.
#
# Run by the Makefile before any build (`make deps`); safe to run again: it asks apt only for
# packages that are missing, and rebuilds the static libraries in build/ only when they are absent.
# Everything comes from Debian: binary packages with apt, and, where Debian ships a library only as
# a shared object (cJSON), its Debian source package, compiled here into a static archive.
#
# Usage: tools/deps.sh [BUILD_DIR]      (default: build)
set -euo pipefail

build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case $build in /*) ;; *) build=$root/$build ;; esac

# Packages by purpose. Keep each list to what its purpose needs.
pkgs_build="build-essential pkg-config m4 clang binutils dpkg-dev libcjson-dev libuv1-dev libhttp-parser-dev"
pkgs_test="libcriterion-dev libxgboost-dev python3-xgboost python3-numpy"
pkgs_bench="nginx-light wrk curl"
pkgs_image="skopeo docker-registry jq file"
pkgs_infra="awscli yamllint shellcheck nodejs"   # infra/: AWS CLI, linters, node for tools/cfn
pkgs_client="libxml2-dev tzdata iso-codes"   # bidload: SVG report (xmlwriter); its tests check geos against tzdata and ISO 3166
pkgs_server="file valgrind"   # the server tests check `file`; make bench-server profiles with callgrind
pkgs_thrift="thrift-compiler python3-thrift"   # Thrift endpoint tests: a client generated from runtime/bidrequest.thrift
pkgs_fuzz="libclang-rt-dev"   # make fuzz: clang's libFuzzer and sanitizer runtimes (gcc's come with gcc)
# arm64 cross builds, run under qemu (toolchain.md §0-§3); :arm64 packages need dpkg's arm64.
pkgs_arm64="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static binfmt-support libuv1-dev:arm64"

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
apt_get() { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "deps: adding dpkg architecture arm64" >&2
  "${sudo_cmd[@]}" dpkg --add-architecture arm64
fi
missing=()
# Every pkgs_* group above. A package counts as installed when dpkg has it for this machine's
# architecture (or "all"); foreign-architecture twins (libuv1-dev:arm64) do not count for it.
# A name with ":arch" (libuv1-dev:arm64) asks for that architecture.
native=$(dpkg --print-architecture)
for group in ${!pkgs_@}; do
  for p in ${!group}; do
    case $p in *:*) want=${p#*:} ;; *) want="($native|all)" ;; esac
    if ! dpkg-query -W -f='${Status} ${Architecture}\n' "${p%%:*}" 2>/dev/null |
         grep -Eq "^install ok installed $want\$"; then
      missing+=("$p")
    fi
  done
done
# Debian's nodejs comes without npm (a separate package); other nodejs builds bundle it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  apt_get update -q
  apt_get install -y -q --no-install-recommends "${missing[@]}"
fi

# Static cJSON from Debian's source package (Debian ships libcjson.so only).
# shellcheck source=tools/debsrc.sh
. "$root/tools/debsrc.sh"
arch=amd64
mkdir -p "$build/$arch"
lib=$build/$arch/libcjson.a
# Compiled thread-local (cjson_tls_c; the marker file tells an archive built that way from an
# older one).
if [ ! -f "$lib" ] || [ ! -f "$build/$arch/cJSON.tls" ]; then
  cjson_dir=$(debsrc_dir "$build" cjson)
  obj=$build/$arch/cJSON.o
  cjson_tls_c "$cjson_dir" "$build/$arch/cJSON_tls.c"
  cc -O2 -fPIC -I"$cjson_dir" -c "$build/$arch/cJSON_tls.c" -o "$obj"
  ar rcs "$lib.tmp" "$obj" && mv "$lib.tmp" "$lib"
  touch "$build/$arch/cJSON.tls"
  echo "deps: built $lib from $(basename "$cjson_dir")" >&2
fi

# Static http-parser from Debian's source package, the same way (the server links it; building
# it here, not taking the -dev package's archive, keeps amd64 and arm64 on one recipe).
lib=$build/$arch/libhttp_parser.a
if [ ! -f "$lib" ]; then
  hp_dir=$(debsrc_dir "$build" http-parser)
  obj=$build/$arch/http_parser.o
  cc -O2 -fPIC -c "$hp_dir/http_parser.c" -o "$obj"
  ar rcs "$lib.tmp" "$obj" && mv "$lib.tmp" "$lib"
  echo "deps: built $lib from $(basename "$hp_dir")" >&2
fi

# arm64: static cJSON and http-parser built from Debian's source packages with the cross
# compiler (libhttp-parser-dev:arm64 cannot be co-installed), and an arm64 sysroot holding
# Criterion's runtime closure for the test binaries that run under qemu (toolchain.md §1, §3).
"$root/tools/deps-arm64.sh" "$build"
