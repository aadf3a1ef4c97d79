#!/usr/bin/env bash
# tools/bench-server.sh - `make bench-server`: bidgate's /v1/filter against nginx's fixed
# answer, side by side in one run, and the latency at 70% of bidgate's peak rate.
#
#   tools/bench-server.sh BIDGATE OUT.md     (run by make from the project root)
#
# Both servers are pinned to CPU 0 (taskset; nginx via tools/nginx-fixed.sh CPU=0) and wrk to
# CPU 1, on loopback, with the same wrk script (tests/bench/post.lua: ~1 KB OpenRTB requests
# cycling through tests/bench/requests.jsonl) and the same route. Peak: ROUNDS alternating
# rounds of DURATION s each with CONNS connections; the median round counts. Latency: wrk is
# closed-loop (no fixed-rate mode; wrk2 is not in Debian), so the rate is set by the number of
# connections: a sweep over 1..16 connections, and the report takes the heaviest setting whose
# throughput stays at or below 70% of bidgate's peak, with its p99 from wrk's latency record.
set -euo pipefail

bin=${1:?usage: bench-server.sh BIDGATE OUT.md}
out=${2:?usage: bench-server.sh BIDGATE OUT.md}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
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

# One wrk run: prints "RPS P50 P99 ERRORS NON2XX".
run() { # port conns duration
  local o
  o=$(taskset -c 1 wrk -t1 -c"$2" -d"$3"s --timeout 5s -s "$script" "http://127.0.0.1:$1/v1/filter")
  local rps p50 p99 err non2xx
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$o")
  p50=$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$o")
  p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$o")
  err=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$o")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' <<<"$o")
  echo "${rps:-0} ${p50:-0} ${p99:-0} ${err:-0} ${non2xx:-0}"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$tmp/b" ; : > "$tmp/n"
for r in $(seq "$ROUNDS"); do
  run "$bport" "$CONNS" "$DURATION" >> "$tmp/b"
  run "$nport" "$CONNS" "$DURATION" >> "$tmp/n"
  echo "bench-server: round $r: bidgate $(tail -1 "$tmp/b" | cut -d' ' -f1) req/s, nginx $(tail -1 "$tmp/n" | cut -d' ' -f1) req/s" >&2
done
bpeak=$(cut -d' ' -f1 "$tmp/b" | median)
npeak=$(cut -d' ' -f1 "$tmp/n" | median)
bbad=$(awk '{s += $4 + $5} END {print s}' "$tmp/b")
ratio=$(awk -v b="$bpeak" -v n="$npeak" 'BEGIN {printf "%.1f", 100 * b / n}')

# Latency sweep (bidgate only).
target=$(awk -v b="$bpeak" 'BEGIN {printf "%d", 0.7 * b}')
sweep=""
chosen=""
for c in 1 2 3 4 6 8 12 16; do
  read -r rps p50 p99 err non2xx < <(run "$bport" "$c" "$DURATION")
  sweep+="| $c | ${rps%.*} | $p50 | $p99 |"$'\n'
  if awk -v r="$rps" -v t="$target" 'BEGIN {exit !(r <= t)}'; then chosen="$c ${rps%.*} $p50 $p99"; fi
done
read -r cc crps cp50 cp99 <<<"${chosen:-none 0 0 0}"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Where the time goes, repeatably: instructions per request under callgrind (valgrind), by
# step of the request path (inclusive counts).
kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null || true
bpid=""
profile=""
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" --host 127.0.0.1 --port 0 \
    --bidders dsp-alpha,dsp-beta > "$tmp/cg.srv" 2>/dev/null &
  bpid=$!
  for _ in $(seq 200); do grep -q listening "$tmp/cg.srv" 2>/dev/null && break; sleep 0.05; done
  cport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/cg.srv")
  creq=$(wrk -t1 -c4 -d3s -s "$script" "http://127.0.0.1:$cport/v1/filter" \
         | sed -n 's/BENCH requests=\([0-9]*\).*/\1/p')
  kill -INT "$bpid"; wait "$bpid" 2>/dev/null || true
  bpid=""
  callgrind_annotate --inclusive=yes "$tmp/cg.out" > "$tmp/cg.txt" 2>/dev/null
  total=$(sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' "$tmp/cg.txt" | tr -d ,)
  step() { # label pattern
    local n
    n=$(grep -E "$2" "$tmp/cg.txt" | head -1 | awk '{print $1}' | tr -d ,)
    printf '| %s | %d |\n' "$1" "$(( ${n:-0} / creq ))"
  }
  profile="Instructions per /v1/filter request under callgrind ($creq requests, the same script,
4 connections; the whole process, loop and startup included): **$(( total / creq ))**.

| step (inclusive) | instructions / request |
|---|---|
$(step "HTTP parsing and everything after it" 'http_parser_execute \[')
$(step "&emsp;/v1/filter handler" 'bg_h_filter \[')
$(step "&emsp;&emsp;UTF-8 check of the body" 'bg_utf8_valid \[')
$(step "&emsp;&emsp;cJSON parse (Debian's cJSON, arena allocator)" 'cJSON_ParseWithLengthOpts \[')
$(step "&emsp;&emsp;feature rows (compiled extractor)" 'bg_rows_build \[')
$(step "&emsp;&emsp;&emsp;user agent rules" 'bg_fx_ua_class \[')
$(step "&emsp;&emsp;predict (one call, all rows)" 'model.c:predict \[')
$(step "&emsp;&emsp;answer (JSON, %.9g scores)" 'bg_respond_filter \[')
"
fi


verdict_rps=$(awk -v r="$ratio" 'BEGIN {print (r >= 80) ? "met" : "MISSED"}')
verdict_p99=$(awk -v p="$cp99" -v c="$cc" 'BEGIN {print (c != "none" && p < 1000) ? "met" : "MISSED"}')

cat > "$out" <<MD
## bidgate HTTP server: /v1/filter vs nginx fixed answer

Command: \`make bench-server\` (tools/bench-server.sh), $(date -u +%Y-%m-%d) on $(nproc) CPUs
($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); load average
$load at the start, $load_end at the end (this machine is shared: other builds running at the
same time make every figure noisy).

Setup: loopback; the server pinned to CPU 0, wrk 4.1 pinned to CPU 1 (\`taskset\`), one wrk
thread; tests/bench/post.lua POSTs the $(wc -l < "$BENCH_REQUESTS") realistic
OpenRTB requests of tests/bench/requests.jsonl ($(awk '{s += length($0)} END {printf "%d", s / NR}' "$BENCH_REQUESTS") bytes on average, 1 to 2
impressions x 2 to 4 bidders each) in turn. bidgate serves models/aws-rtb (one loop); nginx
(Debian nginx-light, one worker, tools/nginx-fixed.sh) answers every request with a fixed
200 JSON body on the same route, without reading anything but the request.

### Peak throughput ($CONNS connections, $ROUNDS alternating rounds of ${DURATION} s, median)

| server | requests/s (each round) | median |
|---|---|---|
| bidgate /v1/filter | $(cut -d' ' -f1 "$tmp/b" | tr '\n' ' ') | **${bpeak%.*}** |
| nginx fixed 200 | $(cut -d' ' -f1 "$tmp/n" | tr '\n' ' ') | **${npeak%.*}** |

bidgate / nginx = **$ratio %** (target >= 80 %: **$verdict_rps**). Non-200 answers and socket
errors during bidgate's rounds: $bbad.

### Latency at 70 % of bidgate's peak (target p99 < 1 ms)

wrk has no fixed-rate mode (wrk2 is not packaged by Debian, and the project's own load
client, bidload, does not exist yet), so this is closed-loop: each connection sends its next
request when the last answer arrives, and the offered rate is set by the connection count.
Closed-loop latency hides queueing that an open-loop client would see (coordinated omission),
so read these p99s as a lower bound. 70 % of the peak is $target requests/s; the heaviest
setting at or below it:

**$cc connection(s): ${crps} requests/s, p50 ${cp50} us, p99 ${cp99} us** (target: **$verdict_p99**).

| connections | requests/s | p50 (us) | p99 (us) |
|---|---|---|---|
$sweep
A p99 in the milliseconds even at one connection, with a p50 of tens of microseconds, is other
processes preempting the server on its shared CPU (a scheduler time slice), not queueing in it.
### Where the time goes

nginx's answer costs it nothing but the HTTP exchange; bidgate's costs a JSON parse of the
whole request, feature extraction, the model (50 trees for each impression x bidder) and a JSON
answer. With the kernel's share of one request the same for both, the 80 % target leaves
bidgate about a quarter of nginx's per-request time for all of that. The instruction counts
below (repeatable, unlike the timings above) show where it goes.

$profile
MD
echo "bench-server: bidgate ${bpeak%.*} req/s, nginx ${npeak%.*} req/s ($ratio %); p99 at $crps req/s: ${cp99} us" >&2
