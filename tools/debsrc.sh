# shellcheck shell=bash
# tools/debsrc.sh - sourced by tools/deps.sh and tools/deps-arm64.sh: Debian source packages.
#
# debsrc_dir BUILD NAME prints the directory of source package NAME unpacked under BUILD/src,
# fetching it first when it is not there yet. apt reads a private deb-src list made from the
# system's own sources (BUILD/apt-src), so the system's apt configuration is never changed;
# apt's Dir:: paths must be absolute, so BUILD must be.
debsrc_dir() { # BUILD NAME
  local name=$2 src=$1/src aptsrc=$1/apt-src
  if ! ls -d "$src/$name"-*/ >/dev/null 2>&1; then
    mkdir -p "$aptsrc/lists/partial" "$src"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$aptsrc/debsrc.sources"
    else
      grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | sed 's/^deb /deb-src /' > "$aptsrc/debsrc.list"
    fi
    local opts=(-o "Dir::Etc::SourceList=$(ls "$aptsrc"/debsrc.* | head -n1)" -o Dir::Etc::SourceParts=/dev/null
                -o "Dir::State::Lists=$aptsrc/lists" -o APT::Sandbox::User=root)
    apt-get "${opts[@]}" update -q >/dev/null
    (cd "$src" && apt-get "${opts[@]}" source -q "$name" >/dev/null)
  fi
  ls -d "$src/$name"-*/ | head -n1
}


# cjson_tls_c CJSON_DIR OUT writes cJSON.c to OUT with its error position thread-local: cJSON
# keeps the position of the last parse error in one static variable that every failed parse
# writes, a data race with one event loop per thread. Fails if cJSON.c has no such variable.
cjson_tls_c() { # CJSON_DIR OUT
  sed 's/^static error global_error = /static _Thread_local error global_error = /' \
    "$1/cJSON.c" > "$2"
  grep -q '^static _Thread_local error global_error' "$2" ||
    { echo "deps: cJSON.c has no global_error to make thread-local" >&2; return 1; }
}

