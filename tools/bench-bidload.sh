#!/usr/bin/env bash
# tools/bench-bidload.sh - bidload's peak closed-loop rate against wrk's, on the same nginx.
#
#   tools/bench-bidload.sh BIDLOAD       (run by `make bench-bidload`, part of `make bench`)
#
# nginx (tools/nginx-fixed.sh) answers a fixed body on core 0; the clients run one at a time on
# core 1 (taskset), one thread each, same connections, same duration, alternating, ROUNDS times;
# each one's best round is its peak. wrk posts one fixed request body (a bidload --dump line, so
# both send requests of the same size); bidload synthesises a fresh one per request. The goal:
# bidload's peak >= 90% of wrk's. Then, not noisy on a shared machine: bidload's instructions per
# request (callgrind, counting only the load threads). And open-loop precision: bidload at 70%
# of wrk's peak, its p99 and its own send lag. Writes the figures and the exact commands into
# docs/BENCHMARKS.md (section "bidload"). Needs nginx-light, wrk, curl, valgrind (tools/deps.sh).
set -euo pipefail

bidload=${1:?usage: bench-bidload.sh BIDLOAD}
conns=${CONNS:-32} secs=${SECS:-5} rounds=${ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-bidload.XXXXXX")
trap 'tools/nginx-fixed.sh stop "$work/nginx" || true; rm -rf "$work"' EXIT

# A free port: let the kernel pick, retry if nginx loses the race.
port=""
for _ in 1 2 3 4 5; do
  p=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if CPU=0 tools/nginx-fixed.sh start "$p" "$work/nginx" 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "bench-bidload: nginx did not start" >&2; exit 1; }
url=http://127.0.0.1:$port/v1/filter

"$bidload" --dump 1 --seed 1 > "$work/body.json"
cat > "$work/post.lua" <<LUA
local f = io.open("$work/body.json", "rb")
wrk.method = "POST"
wrk.body = f:read("*a"):gsub("\n\$", "")
f:close()
wrk.headers["Content-Type"] = "application/json"
LUA

wrk_cmd="taskset -c 1 wrk -t1 -c$conns -d${secs}s -s post.lua $url"
bl_cmd="taskset -c 1 bidload $url --connections $conns --threads 1 --duration ${secs}s"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
best_wrk=0 best_bl=0 rows=""
for r in $(seq "$rounds"); do
  w=$(taskset -c 1 wrk -t1 -c"$conns" -d"${secs}s" -s "$work/post.lua" "$url" | awk '/^Requests\/sec:/ {print $2}')
  taskset -c 1 "$bidload" "$url" --connections "$conns" --threads 1 --duration "${secs}s" \
    --json "$work/bl.json" > /dev/null
  b=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rate"]["achieved"])' "$work/bl.json")
  echo "bench-bidload: round $r: wrk $w req/s, bidload $b req/s" >&2
  rows="$rows| $r | $w | $b |"$'\n'
  best_wrk=$(/usr/bin/python3 -c "print(max($best_wrk, $w))")
  best_bl=$(/usr/bin/python3 -c "print(max($best_bl, $b))")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
ratio=$(/usr/bin/python3 -c "print(f'{100 * $best_bl / $best_wrk:.1f}')")
verdict=$(/usr/bin/python3 -c "print('met' if $best_bl >= 0.9 * $best_wrk else 'MISSED')")
p99=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["latency_us"]["p99"])' "$work/bl.json")

# Instructions per request: callgrind counts inside the load threads only (not the profile load).
cg_cmd="valgrind --tool=callgrind --toggle-collect=worker_main bidload $url --connections $conns --threads 1 --duration 3s"
ipr="n/a"
if command -v valgrind > /dev/null; then
  valgrind --tool=callgrind --toggle-collect=worker_main --callgrind-out-file="$work/cg.out" \
    "$bidload" "$url" --connections "$conns" --threads 1 --duration 3s --json "$work/cg.json" > /dev/null 2>&1
  ir=$(awk '/^summary:|^totals:/ {print $2; exit}' "$work/cg.out")
  n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["requests"])' "$work/cg.json")
  ipr=$(/usr/bin/python3 -c "print(round($ir / $n))")
fi

# Open loop at 70% of wrk's peak: p99 and bidload's own send lag.
orate=$(/usr/bin/python3 -c "print(int(0.7 * $best_wrk))")
ol_cmd="taskset -c 1 bidload $url --rate $orate --connections 64 --threads 1 --duration ${secs}s"
taskset -c 1 "$bidload" "$url" --rate "$orate" --connections 64 --threads 1 --duration "${secs}s" \
  --json "$work/ol.json" > /dev/null
read -r ol_ach ol_p50 ol_p99 lag_p50 lag_p99 lag_max < <(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
l, g = r["latency_us"], r["send_lag_us"]
print(r["rate"]["achieved"], l["p50"], l["p99"], g["p50"], g["p99"], g["max"])' "$work/ol.json")

cat > "$work/section.md" <<MD
## bidload vs wrk: peak closed-loop rate against nginx's fixed answer

Goal: bidload's peak >= 90% of wrk's in the same run. **Result: bidload $best_bl req/s, wrk
$best_wrk req/s: $ratio% ($verdict).** $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),
load average before/after: $load_before / $load_after.

nginx-light (tools/nginx-fixed.sh, one worker pinned to core 0, fixed 37-byte JSON answer); each
client alone on core 1, one thread, $conns keep-alive connections, ${secs} s per round, $rounds
alternating rounds, best round counted. wrk POSTs one fixed body ($(wc -c < "$work/body.json") bytes,
a \`bidload --dump 1\` line); bidload synthesises a new request for each send (bodies are made
ahead, in batches, off the send path) and reads every answer. bidload's last round: p99 $p99 us.

**Instructions per request** (callgrind, load threads only; not noisy, unlike the rates):
**$ipr** (before the pre-rendered pieces and the own response reader, measured the same way:
15,686; by the earlier whole-program profile, synthesis ~9,700 and http-parser ~4,900 per
answer).

**Open loop at 70% of wrk's peak** ($orate req/s asked, 64 connections, one thread): achieved
$ol_ach req/s, latency p50 $ol_p50 us, p99 **$ol_p99 us**; bidload's own send lag (scheduled to
actual send) p50 $lag_p50 us, p99 **$lag_p99 us**, max $lag_max us. A send lag near the p99 means
the machine (not nginx) set it: see the load average above.

| round | wrk req/s | bidload req/s |
|---|---|---|
$rows
Commands (from the repository root; \`make bench-bidload\` runs them all):

\`\`\`sh
CPU=0 tools/nginx-fixed.sh start PORT DIR
$wrk_cmd
$bl_cmd
$cg_cmd
$ol_cmd
tools/nginx-fixed.sh stop DIR
\`\`\`

The machine is shared with other builds while this runs (2 cores): rounds vary by tens of
percent, which is why the best of several alternating rounds is compared.

**Caveat (read this before trusting the verdict).** On this shared 2-core machine the rounds are
dominated by other builds; nginx is then the bottleneck and both clients reach about the same
rate. When the machine is quiet the client core saturates and bidload's own work per request is
the gap (an earlier quiet round, before this work: wrk 181,753 req/s, bidload 125,163, 68.9%);
the instructions per request above are the figure to compare across runs.
MD
tools/bench-section.sh bidload "$work/section.md"
echo "bench-bidload: bidload $best_bl req/s vs wrk $best_wrk req/s = $ratio% ($verdict); see docs/BENCHMARKS.md" >&2
