#!/usr/bin/env bash
# tools/bench-server.sh - `make bench-server`: bidgate's /v1/filter against nginx's fixed
# answer, side by side in one run, the latency at 70% of bidgate's peak rate, and where the
# instructions of one request go.
#
#   tools/bench-server.sh BIDGATE BIDLOAD OUT.md     (run by make from the project root)
#
# Both servers are pinned to CPU 0 (taskset; nginx via tools/nginx-fixed.sh CPU=0) and the
# clients to CPU 1, on loopback, with the same wrk script (tests/bench/post.lua: ~1 KB OpenRTB
# requests cycling through tests/bench/requests.jsonl) and the same route.
#   Peak: ROUNDS alternating rounds of DURATION s with CONNS connections; the median round
#   counts. Each round also reads the server's CPU time (user + system, /proc/PID/stat, nginx's
#   worker included), so the CPU each request costs is known even when other processes share
#   the core and the request rates wander.
#   Latency: bidload (the project's load generator, open loop, coordinated omission corrected)
#   at 70% of bidgate's peak, LAT_RUNS runs; the median run's p99 counts.
#   Profile: callgrind (valgrind) instructions per request by step, beside the figures of the
#   cJSON request path before this one (commit 0d803e2, same measurement).
set -euo pipefail

bin=${1:?usage: bench-server.sh BIDGATE BIDLOAD OUT.md}
bidload=${2:?usage: bench-server.sh BIDGATE BIDLOAD OUT.md}
out=${3:?usage: bench-server.sh BIDGATE BIDLOAD OUT.md}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
LAT_RUNS=${LAT_RUNS:-3}
# 128 connections for the open-loop runs: with few, a request due while every connection still
# waits for an answer queues in bidload (measured: nginx at 40k req/s, p99 990 us with 32, 423
# us with 128); an exchange keeps many connections open for the same reason.
LAT_CONNS=${LAT_CONNS:-128}
export BENCH_REQUESTS=$PWD/tests/bench/requests.jsonl
script=$PWD/tests/bench/post.lua
tmp=$(mktemp -d)
bpid=""
cleanup() {
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null || true
  tools/nginx-fixed.sh stop "$tmp/nginx" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# bidgate on a port the kernel picks; its first stdout line names it.
taskset -c 0 "$bin" --host 127.0.0.1 --port 0 --bidders dsp-alpha,dsp-beta > "$tmp/bidgate.out" &
bpid=$!
for _ in $(seq 100); do grep -q listening "$tmp/bidgate.out" 2>/dev/null && break; sleep 0.05; done
bport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/bidgate.out")
[ -n "$bport" ] || { echo "bench-server: bidgate did not start" >&2; exit 1; }

# nginx on a free random port (retry when taken).
nport=""
for _ in $(seq 10); do
  p=$((20000 + RANDOM % 30000))
  if CPU=0 tools/nginx-fixed.sh start "$p" "$tmp/nginx" 2>/dev/null; then nport=$p; break; fi
  tools/nginx-fixed.sh stop "$tmp/nginx" || true
done
[ -n "$nport" ] || { echo "bench-server: nginx did not start" >&2; exit 1; }
npid=$(cat "$tmp/nginx/nginx.pid")

# CPU ticks (user + system) of a process and its children.
ticks() {
  local t=0 p
  for p in $1 $(pgrep -P "$1" || true); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)

# One wrk run against port with pid's CPU counted: prints "RPS CPU_US_PER_REQ ERRORS".
run() { # port pid conns duration
  local o t0 t1 rps req err non2xx
  t0=$(ticks "$2")
  o=$(taskset -c 1 wrk -t1 -c"$3" -d"$4"s --timeout 5s -s "$script" "http://127.0.0.1:$1/v1/filter")
  t1=$(ticks "$2")
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$o")
  req=$(sed -n 's/.*BENCH requests=\([0-9]*\).*/\1/p' <<<"$o")
  err=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$o")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' <<<"$o")
  awk -v r="${rps:-0}" -v t=$((t1 - t0)) -v hz="$hz" -v n="${req:-0}" -v e=$((${err:-0} + ${non2xx:-0})) \
    'BEGIN {printf "%s %.2f %d\n", r, (n > 0 ? t / hz * 1e6 / n : 0), e}'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$tmp/b" ; : > "$tmp/n"
for r in $(seq "$ROUNDS"); do
  run "$bport" "$bpid" "$CONNS" "$DURATION" >> "$tmp/b"
  run "$nport" "$npid" "$CONNS" "$DURATION" >> "$tmp/n"
  echo "bench-server: round $r: bidgate $(tail -1 "$tmp/b" | cut -d' ' -f1) req/s, nginx $(tail -1 "$tmp/n" | cut -d' ' -f1) req/s" >&2
done
bpeak=$(cut -d' ' -f1 "$tmp/b" | median)
npeak=$(cut -d' ' -f1 "$tmp/n" | median)
bcpu=$(cut -d' ' -f2 "$tmp/b" | median)
ncpu=$(cut -d' ' -f2 "$tmp/n" | median)
bbad=$(awk '{s += $3} END {print s}' "$tmp/b")
ratio=$(awk -v b="$bpeak" -v n="$npeak" 'BEGIN {printf "%.1f", 100 * b / n}')
cpu_ratio=$(awk -v b="$bcpu" -v n="$ncpu" 'BEGIN {printf "%.1f", (b > 0 ? 100 * n / b : 0)}')
rounds_table=$(paste -d' ' "$tmp/b" "$tmp/n" | awk '{printf "| %d | %s | %s | %s | %s |\n", NR, $1, $2, $4, $5}')

# One open-loop run from bidload's JSON report: "RATE P50 P99 P99.9 MAX ERRORS SEND_LAG_P99_MS".
open_loop_row() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latency_us"]
e = r["errors"]
lag = r.get("send_lag_us") or {}
print(r["rate"]["achieved"], l["p50"], l["p99"], l["p99.9"], l["max"],
      e["connect"] + e["timeout"] + sum(e["status"].values()), "%.3f" % (lag.get("p99", 0) / 1000))
PY
}

# Latency: bidload, open loop, at 70% of bidgate's peak.
target=$(awk -v b="$bpeak" 'BEGIN {printf "%d", 0.7 * b}')
: > "$tmp/lat"
for r in $(seq "$LAT_RUNS"); do
  taskset -c 1 "$bidload" "http://127.0.0.1:$bport/v1/filter" --rate "$target" \
    --duration "${DURATION}s" --connections "$LAT_CONNS" --json "$tmp/lat.json" > "$tmp/lat.txt" || true
  open_loop_row "$tmp/lat.json" >> "$tmp/lat"
  echo "bench-server: latency run $r: $(tail -1 "$tmp/lat")" >&2
done
read -r lrate lp50 lp99 lp999 _ < <(sort -g -k3 "$tmp/lat" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}')
# The same client at the same rate against nginx's fixed answer: what this machine and bidload
# allow at all.
taskset -c 1 "$bidload" "http://127.0.0.1:$nport/v1/filter" --rate "$target" \
  --duration "${DURATION}s" --connections "$LAT_CONNS" --json "$tmp/nlat.json" > "$tmp/nlat.txt" || true
read -r nlrate nlp50 nlp99 nlp999 nlmax nlerr nlag < <(open_loop_row "$tmp/nlat.json")
lat_table=$(awk '{printf "| %d | %s | %s | %s | %s | %s | %s | %s |\n", NR, $1, $2, $3, $4, $5, $6, $7}' "$tmp/lat")
# The same target closed loop with wrk (a lower bound: no coordinated omission correction),
# because one bidload thread may not offer that rate on the one core it has: the heaviest
# connection count whose rate stays at or below the target.
sweep="" chosen=""
for c in 1 2 3 4 6 8 12 16; do
  o=$(taskset -c 1 wrk -t1 -c"$c" -d"$DURATION"s --timeout 5s -s "$script" "http://127.0.0.1:$bport/v1/filter")
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$o")
  p50=$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$o")
  p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$o")
  sweep+="| $c | ${rps%.*} | $p50 | $p99 |"$'\n'
  if awk -v r="${rps:-0}" -v t="$target" 'BEGIN {exit !(r <= t)}'; then chosen="$c ${rps%.*} $p50 $p99"; fi
done
read -r cc crps cp50 cp99 <<<"${chosen:-none 0 0 0}"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Where the instructions go, repeatably: callgrind (valgrind) by step of the request path
# (inclusive counts), on the same script at 4 connections.
kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null || true
bpid=""
profile="(valgrind not installed: no profile)"
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  # Valgrind 3.19 cannot read some of gcc 12's DWARF 5 forms in this static binary: profile a
  # copy without debug information (the symbol table still names every function).
  objcopy --strip-debug "$bin" "$tmp/bidgate.nodebug"
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$tmp/bidgate.nodebug" --host 127.0.0.1 --port 0 \
    --bidders dsp-alpha,dsp-beta > "$tmp/cg.srv" 2>/dev/null &
  bpid=$!
  for _ in $(seq 200); do grep -q listening "$tmp/cg.srv" 2>/dev/null && break; sleep 0.05; done
  cport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/cg.srv")
  creq=$(wrk -t1 -c4 -d5s -s "$script" "http://127.0.0.1:$cport/v1/filter" \
         | sed -n 's/BENCH requests=\([0-9]*\).*/\1/p')
  kill -INT "$bpid"; wait "$bpid" 2>/dev/null || true
  bpid=""
  callgrind_annotate --inclusive=yes "$tmp/cg.out" > "$tmp/cg.txt" 2>/dev/null
  total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$tmp/cg.txt" | tr -d ,)
  callgrind_annotate "$tmp/cg.out" > "$tmp/cg.self" 2>/dev/null
  self() { # pattern: instructions per request in the function itself
    local n
    n=$(grep -E "$1" "$tmp/cg.self" | awk '{gsub(",", "", $1); s += $1} END {print s + 0}')
    echo "$(( ${n:-0} / creq ))"
  }
  step() { # label before pattern
    local n
    n=$(grep -E "$3" "$tmp/cg.txt" | head -1 | awk '{print $1}' | tr -d ,)
    printf '| %s | %s | %d |\n' "$1" "$2" "$(( ${n:-0} / creq ))"
  }
  profile="Instructions per /v1/filter request under callgrind ($creq requests, the same script,
4 connections; the whole process, loop and startup included): **$(( total / creq ))**, against
**103772** for the cJSON request path before (commit 0d803e2, the same measurement).

| step (inclusive) | before (0d803e2) | now |
|---|---|---|
$(step "HTTP parsing and everything after it" 103272 'http_parser_execute \[')
$(step "&emsp;/v1/filter handler" 98598 'bg_h_filter \[')
$(step "&emsp;&emsp;body checked and read: UTF-8 check + cJSON parse before, one pass of json_scan.c now" "1746 + 50189" 'bg_js_scan \[')
$(step "&emsp;&emsp;feature rows (compiled extractor)" 13605 'bg_rows_build \[')
$(step "&emsp;&emsp;&emsp;user agent rules" 4753 'bg_fx_ua_class \[')
$(step "&emsp;&emsp;predict (one call; distinct rows only, now)" 26884 '[:?]predict \[')
$(step "&emsp;&emsp;answer (JSON, %.9g scores)" 4217 'bg_respond_filter \[')

What is left of a request, by function (self): Debian's http-parser $(self 'http_parser_execute \[')
(it reads the request line and headers a byte at a time; the issue prescribes it), $(( $(self 'http_parser_execute \[' | tr -d ' ') * 100 / (total / creq) )) % of
the request; the model itself (predict, inclusive, in the table) is a small part, since a
bidder-blind model scores only the distinct rows.
"
fi

verdict_rps=$(awk -v r="$ratio" 'BEGIN {print (r >= 80) ? "met" : "MISSED"}')
next=""
if [ "$(awk -v r="$ratio" -v c="$cpu_ratio" 'BEGIN {print (r >= 80 && c >= 80)}')" != 1 ]; then
  next="**Not met in this run.** What would be next, largest first: the model's kernels (issue 5's
SIMD kernels walk several trees at once; predict is the largest single step above); a request
scan with a structural index (simdjson's two stages: find every quote and bracket of 64 bytes at
once, then walk the index; about a third of the scan's instructions today go to per-string and
per-member set-up); an HTTP parser that takes the headers in larger steps than Debian's
http-parser (a change of the issue's requirements). On a shared machine, rerun first: the CPU
time per request is the fairer of the two ratios."
fi
verdict_cpu=$(awk -v r="$cpu_ratio" 'BEGIN {print (r >= 80) ? "met" : "MISSED"}')
verdict_p99=$(awk -v p="$lp99" 'BEGIN {print (p > 0 && p < 1000) ? "met" : "MISSED"}')
floor_note=""
if awk -v p="$nlp99" 'BEGIN {exit !(p >= 1000)}'; then
  floor_note="The same client at the same rate against nginx's fixed answer also has a p99 of
$nlp99 us: at this rate bidload on one core, on this machine, cannot show a p99 under 1 ms for
any server, so this run neither shows nor rules out bidgate's; the closed-loop sweep below is
the bound it does give."
fi

cat > "$out" <<MD
## bidgate HTTP server: /v1/filter vs nginx fixed answer

Command: \`make bench-server\` (tools/bench-server.sh), $(date -u +%Y-%m-%d) on $(nproc) CPUs
($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); load average
$load at the start, $load_end at the end (this machine is shared: other builds running at the
same time make every rate and latency noisy; the CPU time per request and the instruction
counts are much less so).

Setup: loopback; the server pinned to CPU 0, the client (wrk 4.1, one thread; bidload for
latency) pinned to CPU 1 (\`taskset\`); tests/bench/post.lua POSTs the $(wc -l < "$BENCH_REQUESTS") realistic
OpenRTB requests of tests/bench/requests.jsonl ($(awk '{s += length($0)} END {printf "%d", s / NR}' "$BENCH_REQUESTS") bytes on average, 1 to 2
impressions x 2 to 4 bidders each) in turn. bidgate serves models/aws-rtb (one loop); nginx
(Debian nginx-light, one worker, tools/nginx-fixed.sh) answers every request with a fixed
200 JSON body on the same route, without reading anything but the request.

### Peak throughput ($CONNS connections, $ROUNDS alternating rounds of ${DURATION} s, median)

| round | bidgate req/s | bidgate CPU us/request | nginx req/s | nginx CPU us/request |
|---|---|---|---|---|
$rounds_table

bidgate / nginx, requests per second: **$ratio %** (target >= 80 %: **$verdict_rps**; medians
${bpeak%.*} and ${npeak%.*} req/s). Non-200 answers and socket errors during bidgate's rounds: $bbad.

CPU time per request (user + system, the server's own, median of the rounds): bidgate $bcpu us,
nginx $ncpu us: on a core of its own bidgate would answer **$cpu_ratio %** of nginx's rate
(target >= 80 %: **$verdict_cpu**). This is the figure to trust on a shared machine: the rates
above also depend on how much of CPU 0 and CPU 1 other processes took during each round.

### Latency at 70 % of bidgate's peak (target p99 < 1 ms)

bidload, open loop at $target requests/s (70 % of the median peak), $LAT_CONNS connections,
${DURATION} s per run; latency counts from each request's scheduled send time (coordinated
omission corrected, docs/bidload.md). bidload synthesises its own requests (its default
profile), so they differ from wrk's.

| run | achieved req/s | p50 (us) | p99 (us) | p99.9 (us) | max (us) | errors | client send lag p99 (ms) |
|---|---|---|---|---|---|---|---|
$lat_table
| nginx, same rate | $nlrate | $nlp50 | $nlp99 | $nlp999 | $nlmax | $nlerr | $nlag |

Median run: **p50 $lp50 us, p99 $lp99 us** (p99.9 $lp999 us) at $lrate requests/s (target: **$verdict_p99**). On a
shared core, a p99 in the milliseconds with a p50 of tens of microseconds is other processes
preempting the server (a scheduler time slice), not queueing in it; a p50 in the milliseconds,
or a send lag of more than a millisecond, means the rate was more than the server (or bidload
on its core) could take during that run, and every later request queued behind.
$floor_note

Closed loop for comparison (wrk, the benchmark's requests; each connection sends when its last
answer came, so this hides queueing and is a lower bound): the heaviest setting at or below
$target requests/s: **$cc connection(s), ${crps} requests/s, p50 ${cp50} us, p99 ${cp99} us**.

| connections | requests/s | p50 (us) | p99 (us) |
|---|---|---|---|
$sweep

### Where the time goes

nginx's answer costs it nothing but the HTTP exchange; bidgate's costs checking and reading the
whole JSON body, feature extraction, the model (50 trees per distinct row) and a JSON answer.
The system time (reads, writes, epoll: one read and one write per batch of requests) is about
the same for both, so the gap is bidgate's user-space instructions, counted here.

$profile
$next
MD
echo "bench-server: bidgate ${bpeak%.*} req/s, nginx ${npeak%.*} req/s ($ratio %), CPU/request $bcpu vs $ncpu us ($cpu_ratio %); p99 at $lrate req/s: $lp99 us" >&2
