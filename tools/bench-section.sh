#!/usr/bin/env bash
# tools/bench-section.sh - replace one benchmark's section of docs/BENCHMARKS.md.
#
# Usage: tools/bench-section.sh NAME FILE
# Each benchmark owns the text between "<!-- bench:NAME -->" and "<!-- /bench:NAME -->";
# this puts FILE's contents there (appending the section if it is new) and leaves the rest of
# the document alone, so benchmarks can be rerun one at a time.
set -euo pipefail
name=$1 body=$2
doc=docs/BENCHMARKS.md
mkdir -p docs
[ -f "$doc" ] || printf '# Benchmarks\n\nFigures written by `make bench`; each section names the command that produced it.\n' > "$doc"
begin="<!-- bench:$name -->" end="<!-- /bench:$name -->"
tmp=$(mktemp "$doc.XXXXXX")
if grep -qF "$begin" "$doc"; then
  awk -v b="$begin" -v e="$end" -v f="$body" '
    $0 == b { print; while ((getline line < f) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip { print }' "$doc" > "$tmp"
else
  { cat "$doc"; printf '\n%s\n' "$begin"; cat "$body"; printf '%s\n' "$end"; } > "$tmp"
fi
mv "$tmp" "$doc"
