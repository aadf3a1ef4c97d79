#!/usr/bin/env bash
# tools/bench-threads.sh - `make bench-threads`: does a second event loop pay its way?
#
#   tools/bench-threads.sh BIDGATE BIDLOAD OUT.md     (run by make from the project root)
#
# bidgate with --threads 1 and --threads 2 in turn (ROUNDS alternating rounds), each under
# bidload's closed loop (CONNS connections, DURATION s) on /v1/filter over loopback. The load
# generator shares the machine's cores, so wall-clock throughput says little; the figure that
# counts is requests answered per second of the server's own CPU time (utime + stime from
# /proc/PID/stat over the run): with no locks and no shared state between loops it should be the
# same with one loop or two. The goal: 2 threads within 15% of 1 thread. Medians of the rounds.
set -euo pipefail

bin=${1:?usage: bench-threads.sh BIDGATE BIDLOAD OUT.md}
bidload=${2:?usage: bench-threads.sh BIDGATE BIDLOAD OUT.md}
out=${3:?usage: bench-threads.sh BIDGATE BIDLOAD OUT.md}
DURATION=${DURATION:-8}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
tck=$(getconf CLK_TCK)
tmp=$(mktemp -d)
bpid=""
cleanup() {
  [ -n "$bpid" ] && kill "$bpid" 2>/dev/null && wait "$bpid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

cpu_ticks() { # pid: utime + stime (fields 14 and 15; the name in field 2 has no spaces here)
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# One round: prints "REQUESTS CPU_SECONDS WALL_RPS ERRORS".
round() { # threads
  "$bin" --host 127.0.0.1 --port 0 --threads "$1" --bidders dsp-alpha,dsp-beta \
    --emf-interval 0 > "$tmp/bidgate.out" &
  bpid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/bidgate.out" 2>/dev/null && break; sleep 0.05; done
  local port c0 c1 req rps err
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/bidgate.out")
  [ -n "$port" ] || { echo "bench-threads: bidgate did not start" >&2; exit 1; }
  c0=$(cpu_ticks "$bpid")
  "$bidload" "http://127.0.0.1:$port/v1/filter" -c "$CONNS" -d "${DURATION}s" \
    --json "$tmp/r.json" > "$tmp/r.txt"
  c1=$(cpu_ticks "$bpid")
  kill "$bpid"; wait "$bpid" || true; bpid=""
  req=$(jq '.requests' "$tmp/r.json")
  rps=$(jq '.rate.achieved' "$tmp/r.json")
  err=$(jq '.errors.connect + .errors.timeout + ([.errors.status[]] | add // 0)' "$tmp/r.json")
  echo "$req $(awk -v a="$c0" -v b="$c1" -v t="$tck" 'BEGIN {printf "%.3f", (b - a) / t}') $rps $err"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

load=$(cut -d" " -f1-3 /proc/loadavg)
: > "$tmp/t1"; : > "$tmp/t2"
for r in $(seq "$ROUNDS"); do
  for t in 1 2; do
    read -r req cpu rps err < <(round "$t")
    per_cpu=$(awk -v r="$req" -v c="$cpu" 'BEGIN {printf "%.1f", (c > 0 ? r / c : 0)}')
    echo "round $r, $t thread(s): $req requests, $cpu s server CPU, $per_cpu req per CPU-s, $rps req/s wall, $err errors" >&2
    echo "$per_cpu $rps $cpu $err" >> "$tmp/t$t"
  done
done
p1=$(cut -d' ' -f1 "$tmp/t1" | median); p2=$(cut -d' ' -f1 "$tmp/t2" | median)
w1=$(cut -d' ' -f2 "$tmp/t1" | median); w2=$(cut -d' ' -f2 "$tmp/t2" | median)
c1=$(cut -d' ' -f3 "$tmp/t1" | median); c2=$(cut -d' ' -f3 "$tmp/t2" | median)
e1=$(awk '{s += $4} END {print s}' "$tmp/t1"); e2=$(awk '{s += $4} END {print s}' "$tmp/t2")
ratio=$(awk -v a="$p1" -v b="$p2" 'BEGIN {printf "%.3f", (a > 0 ? b / a : 0)}')
verdict=$(awk -v r="$ratio" 'BEGIN {print (r >= 0.85) ? 1 : 0}')
{
  echo "## One loop per core: requests per second of server CPU time"
  echo
  echo "Command: \`make bench-threads\` (tools/bench-threads.sh; DURATION=$DURATION s, ROUNDS=$ROUNDS, CONNS=$CONNS;"
  echo "bidload closed loop on /v1/filter over loopback, sharing the machine's $(nproc) cores with the server)."
  echo "Server CPU time is utime + stime of the bidgate process from /proc over each run; medians of the rounds."
  echo
  echo "| threads | requests per server CPU-second | server CPU s per run | wall req/s (shared cores) | errors |"
  echo "|---|---|---|---|---|"
  echo "| 1 | $p1 | $c1 | $w1 | $e1 |"
  echo "| 2 | $p2 | $c2 | $w2 | $e2 |"
  echo
  echo "2 threads / 1 thread = **$ratio** per CPU-second (goal: at least 0.85): $([ "$verdict" = 1 ] && echo met || echo NOT met)."
  echo "Wall throughput is shown for reference only: it depends on how the server and the load"
  echo "generator share the cores. Other work on this machine during the run (other builds and tests)"
  echo "makes all figures noisy."
  echo "Load average (1, 5, 15 min) when the run started: $load."
} > "$out"
cat "$out"
