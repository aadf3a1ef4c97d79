#!/usr/bin/env bash
# tools/soak.sh - `make soak`: bidgate at 70% of its peak for SOAK_SECONDS (default 300), on
# loopback: no errors, and a flat resident set size.
#
#   tools/soak.sh BIDGATE BIDLOAD OUT.md     (run by make from the project root)
#
# Peak: bidload's closed loop for 5 s (CONNS connections). Then bidload's open loop at 70% of
# that rate for SOAK_SECONDS while the server's VmRSS (/proc/PID/status) is sampled every 5 s.
# Passes when bidload saw no error of any kind and the RSS at the end is within 5% (or 4 MiB,
# whichever is larger) of the RSS after warm-up (the first 20% of the run). Exit 1 otherwise.
set -euo pipefail

bin=${1:?usage: soak.sh BIDGATE BIDLOAD OUT.md}
bidload=${2:?usage: soak.sh BIDGATE BIDLOAD OUT.md}
out=${3:?usage: soak.sh BIDGATE BIDLOAD OUT.md}
SOAK_SECONDS=${SOAK_SECONDS:-300}
CONNS=${CONNS:-32}
tmp=$(mktemp -d)
bpid="" lpid=""
cleanup() {
  [ -n "$lpid" ] && kill "$lpid" 2>/dev/null || true
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"$bin" --host 127.0.0.1 --port 0 --bidders dsp-alpha,dsp-beta --emf-interval 10 > "$tmp/bidgate.out" &
bpid=$!
for _ in $(seq 100); do grep -q listening "$tmp/bidgate.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n '1s|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/bidgate.out")
[ -n "$port" ] || { echo "soak: bidgate did not start" >&2; exit 1; }
url="http://127.0.0.1:$port/v1/filter"

"$bidload" "$url" -c "$CONNS" -d 5s --json "$tmp/peak.json" > /dev/null
peak=$(jq '.rate.achieved' "$tmp/peak.json")
rate=$(awk -v p="$peak" 'BEGIN {printf "%d", p * 0.7}')
echo "soak: peak $peak req/s; ${SOAK_SECONDS} s at $rate req/s" >&2

load=$(cut -d" " -f1-3 /proc/loadavg)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$bpid/status"; }
"$bidload" "$url" --rate "$rate" -c "$CONNS" -d "${SOAK_SECONDS}s" --json "$tmp/soak.json" \
  > "$tmp/soak.txt" &
lpid=$!
: > "$tmp/rss"
t=0
while kill -0 "$lpid" 2>/dev/null; do
  echo "$t $(rss)" >> "$tmp/rss"
  sleep 5
  t=$((t + 5))
done
wait "$lpid"; lpid=""
echo "$t $(rss)" >> "$tmp/rss"

errors=$(jq '.errors.connect + .errors.timeout + ([.errors.status[]] | add // 0)' "$tmp/soak.json")
answered=$(jq '.requests' "$tmp/soak.json")
achieved=$(jq '.rate.achieved' "$tmp/soak.json")
p99=$(jq '.latency_us.p99' "$tmp/soak.json")
warm_at=$((SOAK_SECONDS / 5))
warm=$(awk -v w="$warm_at" '$1 >= w {print $2; exit}' "$tmp/rss")
end=$(tail -1 "$tmp/rss" | cut -d' ' -f2)
max=$(cut -d' ' -f2 "$tmp/rss" | sort -n | tail -1)
allowed=$(awk -v w="$warm" 'BEGIN {a = w * 0.05; printf "%d", (a > 4096 ? a : 4096)}')
growth=$((end - warm))
ok=1
[ "$errors" = 0 ] || ok=0
[ "$growth" -le "$allowed" ] || ok=0
{
  echo "## Soak: 70% of peak for ${SOAK_SECONDS} s"
  echo
  echo "Command: \`make soak\` (tools/soak.sh; SOAK_SECONDS=$SOAK_SECONDS, CONNS=$CONNS; default threads,"
  echo "bidload on the same $(nproc)-core machine, loopback, /v1/filter)."
  echo
  echo "| peak (closed loop, 5 s) | soak rate asked | achieved | answered | errors | p99 | RSS after warm-up | RSS at end | largest RSS |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| $peak req/s | $rate req/s | $achieved req/s | $answered | $errors | $p99 us | $warm KiB | $end KiB | $max KiB |"
  echo
  echo "Load average (1, 5, 15 min) when the soak started: $load."
  echo "p99 counts from each request's scheduled send time (bidload's open loop), so it includes"
  echo "any queueing while other work on this shared machine takes the cores."
  echo "RSS growth after warm-up: $growth KiB (allowed: $allowed KiB). Result: $([ $ok = 1 ] && echo pass || echo FAIL)."
} > "$out"
cat "$out"
[ "$ok" = 1 ]
