#!/usr/bin/env bash
# tools/bench-kernels.sh - run the inference benchmark and write its docs/BENCHMARKS.md section.
#
# Usage (from `make bench-kernels`, which builds everything first):
#   tools/bench-kernels.sh BENCH_BIN BENCH_DIR MODEL...
# Environment: BENCH_CC, BENCH_CFLAGS (how the models were compiled, for the report).
# Runs BENCH_BIN (tests/bench/bench_kernels.c) for the timings, then callgrind for exact
# instruction counts per node step, checks the issue's targets, and replaces the "kernels"
# section of docs/BENCHMARKS.md through tools/bench-section.sh.
set -euo pipefail

bin=$1 dir=$2
shift 2
models=("$@")
out=$dir/report.md
raw=$dir/timings.md
cc=${BENCH_CC:-cc}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "bench-kernels: timing ${models[*]} (a few minutes)" >&2
"$bin" "$raw" "$dir" "${models[@]}"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Instructions per node step (callgrind counts instructions exactly; only the margins
# function and what it calls are counted, so the transform and the harness are left out).
icount() { # MODEL IMPL BATCH -> instructions inside margins_*
  local f
  f=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$f" --collect-atstart=no \
    --toggle-collect='margins_*' "$bin" --run "$dir" "$1" "$2" "$3" >/dev/null 2>&1
  callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
  rm -f "$f"
}
insn_table=""
if command -v valgrind >/dev/null; then
  echo "bench-kernels: counting instructions with callgrind" >&2
  for m in aws_rtb t500_d8_f100; do
    read -r _ _ steps < "$dir/$m/shape.txt"
    rows=$(cut -d' ' -f1 "$dir/$m/meta.txt")
    for impl in ifelse scalar sse2 avx2; do
      for b in 1 4096; do
        n=$(icount "$m" "$impl" "$b")
        [ -n "$n" ] || continue
        insn_table+=$(awk -v m="$m" -v i="$impl" -v b="$b" -v n="$n" -v r="$rows" -v s="$steps" \
          'BEGIN { printf "| %s | %s | %d | %.1f | %.2f |\n", m, i, b, n / r, n / (r * s) }')
        insn_table+=$'\n'
      done
    done
  done
fi

# Targets (issue 5), for the kernel predict uses on this machine (the last one listed).
verdict() { # MODEL BATCH_INDEX(0: batch 1, 1: batch 4096) MIN_VS_XGB MIN_VS_IFELSE
  local line best
  best=$(grep "^@$1 " "$raw" | tail -n1)
  line=$(awk -v b="$2" -v tx="$3" -v ti="$4" '{
      vx = (b == 0) ? $3 : $5; vi = (b == 0) ? $4 : $6; mx = (b == 0) ? $7 : $9; mi = (b == 0) ? $8 : $10;
      printf "%s (%s): %.1fx faster than XGBoost (target >= %sx: %s), %.2fx faster than if/else (target >= %sx: %s); from the minima: %.1fx and %.2fx",
        $1, $2, vx, tx, (vx >= tx) ? "met" : "MISSED", vi, ti, (vi >= ti) ? "met" : "MISSED", mx, mi }' <<< "$best")
  echo "${line#@}"
}

{
  echo
  echo "Command: \`make bench\` (or \`make bench-kernels\`), run $start."
  echo
  echo "- machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(uname -sr)"
  echo "- compiler: \`$cc\` = $($cc --version | head -n1); flags \`${BENCH_CFLAGS:-}\`"
  echo "- load average before/after: $load_before / $load_after (2-core machine shared with other"
  echo "  builds: figures taken while others build are noisy)"
  echo "- models: trained by tests/bench/train.py (python3-xgboost, fixed seeds), 4096 rows each;"
  echo "  every implementation's predictions were checked bit for bit against XGBoost first"
  echo "- ns/row: predict (transformed), over batches cycling through the 4096 rows; min and median"
  echo "  of 21 samples of ~20 ms, taken round-robin across the implementations so that load from"
  echo "  other processes falls on all alike; x XGBoost / x if/else: speed-up over those (medians,"
  echo "  same batch)"
  echo "- cycles/node step: median ns/row x estimated clock / node steps per row (sum of tree"
  echo "  depths: a branchless walk takes exactly that many steps per row, on all lanes together)"
  echo
  echo "Targets (medians, this run):"
  echo
  echo "- batch 1, $(verdict aws_rtb 0 250 1.5)"
  echo "- batch 4096, $(verdict t500_d8_f100 1 8 10)"
  echo
  grep -v '^@' "$raw"
  if [ -n "$insn_table" ]; then
    echo "Instructions (callgrind, inside margins_*, all 4096 rows):"
    echo
    echo "| model | code | batch | instructions/row | instructions/node step |"
    echo "|---|---|---:|---:|---:|"
    printf '%s' "$insn_table"
    echo
  fi
  echo "Layout, and what limits each kernel: [docs/kernels.md](kernels.md)."
} > "$out"
tools/bench-section.sh kernels "$out"
echo "bench-kernels: wrote section kernels of docs/BENCHMARKS.md" >&2
