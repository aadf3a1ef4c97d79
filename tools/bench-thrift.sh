#!/usr/bin/env bash
# tools/bench-thrift.sh - `make bench-thrift`: Thrift calls per second next to HTTP requests per
# second, the same bidgate process on the same core, the same model and the same features.
#
#   tools/bench-thrift.sh BIDGATE THRIFT_LOAD OUT.md     (run by make from the project root)
#
# bidgate is pinned to CPU 0, the load generators to CPU 1 (taskset). HTTP: wrk with
# tests/bench/post.lua on one-row versions of tests/bench/requests.jsonl (the first impression
# and the first bidder of each: one score per request, as a Thrift call has), and on the
# requests as they are for reference. Thrift: build/amd64/thrift-load (tests/bench/
# thrift_load.c), closed loop like wrk, calls made of the same requests' fields, unframed and
# framed (a second server). ROUNDS rounds, each running every load for DURATION s with CONNS
# connections; the median counts. Then one connection each, for the round trip alone, and
# instructions per answer under callgrind, which unlike the timings repeat from run to run.
set -euo pipefail

bin=${1:?usage: bench-thrift.sh BIDGATE THRIFT_LOAD OUT.md}
load=${2:?usage: bench-thrift.sh BIDGATE THRIFT_LOAD OUT.md}
out=${3:?usage: bench-thrift.sh BIDGATE THRIFT_LOAD OUT.md}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
script=$PWD/tests/bench/post.lua
requests=$PWD/tests/bench/requests.jsonl
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The same requests three ways: one-row JSON, as they are, and Thrift fields (TSV).
/usr/bin/python3 - "$requests" "$tmp" <<'PY'
import json, sys
src, tmp = sys.argv[1], sys.argv[2]
with open(src) as f, open(tmp + "/one-row.jsonl", "w") as one, open(tmp + "/calls.tsv", "w") as tsv:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        r["imp"] = r["imp"][:1]
        bidders = r.get("ext", {}).get("bidders", ["dsp-alpha"])[:1]
        r.setdefault("ext", {})["bidders"] = bidders
        one.write(json.dumps(r, separators=(",", ":")) + "\n")
        dev = r.get("device", {})
        geo = dev.get("geo", {})
        dom = r.get("site", {}).get("domain") or r.get("app", {}).get("bundle") or ""
        cells = [dom, geo.get("region", ""), geo.get("city", ""), dev.get("ua", ""), bidders[0]]
        tsv.write("\t".join(str(c).replace("\t", " ") for c in cells) + "\n")
PY

# bidgate NAME TRANSPORT on CPU 0; sets hport and tport to its ports.
start_server() {
  taskset -c 0 "$bin" --host 127.0.0.1 --port 0 --thrift-port 0 --thrift-transport "$2" \
    --bidders dsp-alpha > "$tmp/$1.out" 2> "$tmp/$1.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "thrift on" "$tmp/$1.out" 2>/dev/null && break; sleep 0.05; done
  hport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/$1.out")
  tport=$(sed -n 's|.*thrift on 127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/$1.out")
  if [ -z "$hport" ] || [ -z "$tport" ]; then
    echo "bench-thrift: bidgate did not start" >&2
    exit 1
  fi
}
stop_servers() {
  local p
  for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
  pids=()
}

# One wrk run: "RPS P50 P99 ERRORS".
http() { # file conns
  local o rps p50 p99 err non2xx
  o=$(BENCH_REQUESTS=$1 taskset -c 1 wrk -t1 -c"$2" -d"$DURATION"s --timeout 5s -s "$script" \
      "http://127.0.0.1:$hport/v1/filter")
  rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$o")
  p50=$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<<"$o")
  p99=$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<<"$o")
  err=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$o")
  non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' <<<"$o")
  echo "${rps:-0} ${p50:-0} ${p99:-0} $(( ${err:-0} + ${non2xx:-0} ))"
}
# One thrift-load run: "RATE P50 P99 ERRORS".
thrift() { # port conns [--framed]
  local o extra=()
  [ $# -ge 3 ] && extra=("$3")
  o=$(taskset -c 1 "$load" --port "$1" --connections "$2" --duration "$DURATION" \
      --calls "$tmp/calls.tsv" "${extra[@]}")
  sed -n 's/.*rate=\([0-9]*\).*p50_us=\([0-9]*\).*p99_us=\([0-9]*\).*/\1 \2 \3/p' <<<"$o" |
    tr '\n' ' '
  sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$o"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$tmp/h1"; : > "$tmp/hn"; : > "$tmp/tu"; : > "$tmp/tf"
# Two servers, both on CPU 0 (only the one under load works): unframed (which also serves
# HTTP) and framed. The rounds alternate all four loads, so drifting noise from other work on
# the machine spreads over all of them.
start_server framed framed
ftport=$tport
start_server unframed unframed
for r in $(seq "$ROUNDS"); do
  http "$tmp/one-row.jsonl" "$CONNS" >> "$tmp/h1"
  thrift "$tport" "$CONNS" >> "$tmp/tu"
  thrift "$ftport" "$CONNS" --framed >> "$tmp/tf"
  http "$requests" "$CONNS" >> "$tmp/hn"
  echo "bench-thrift: round $r: HTTP one-row $(tail -1 "$tmp/h1" | cut -d' ' -f1) req/s, Thrift $(tail -1 "$tmp/tu" | cut -d' ' -f1) calls/s unframed, $(tail -1 "$tmp/tf" | cut -d' ' -f1) framed" >&2
done
read -r h1_1 h1_p50 h1_p99 _ < <(http "$tmp/one-row.jsonl" 1)
read -r tu_1 tu_p50 tu_p99 _ < <(thrift "$tport" 1)
# The generated Python client (python3-thrift), one connection: what a migration's existing
# clients might see per connection.
py_calls=2000
for _ in $(seq "$py_calls"); do echo '{"hour":"13","dayOfWeek":3,"domainId":"news.example.com","regionId":"ca","cityId":"seattle","advertiserId":"dsp-alpha","userAgent":"Mozilla/5.0 (iPhone)"}'; done > "$tmp/py.jsonl"
py_gen=${THRIFT_PY:-build/amd64/thrift-py}
py_rate="not measured"
if [ -d "$py_gen/bidrequest" ]; then
  t0=$(date +%s.%N)
  taskset -c 1 /usr/bin/python3 tests/thrift/client.py "$py_gen" call "$tport" unframed accelerated < "$tmp/py.jsonl" > /dev/null
  t1=$(date +%s.%N)
  py_rate=$(awk -v n="$py_calls" -v a="$t0" -v b="$t1" 'BEGIN {printf "%d", n / (b - a)}')
fi
stop_servers
errs_u=$(grep -o 'errors=[0-9]*' "$tmp/unframed.err" | head -1 || true)
errs_f=$(grep -o 'errors=[0-9]*' "$tmp/framed.err" | head -1 || true)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Instructions per answer under callgrind (valgrind): repeatable where the timings above are
# not. One server, Thrift calls then one-row HTTP requests; each protocol's read callback
# (inclusive: parsing, features, predict, the answer, the write) divided by its count.
profile="valgrind not installed: no instruction counts"
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" --host 127.0.0.1 --port 0 \
    --thrift-port 0 --bidders dsp-alpha > "$tmp/cg.srv" 2>/dev/null &
  cpid=$!
  pids+=("$cpid")
  for _ in $(seq 200); do grep -q "thrift on" "$tmp/cg.srv" 2>/dev/null && break; sleep 0.05; done
  hport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/cg.srv")
  tport=$(sed -n 's|.*thrift on 127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/cg.srv")
  cg_t=$("$load" --port "$tport" --connections 4 --duration 3 --calls "$tmp/calls.tsv" |
         sed -n 's/^calls=\([0-9]*\).*/\1/p')
  cg_h=$(BENCH_REQUESTS=$tmp/one-row.jsonl wrk -t1 -c4 -d3s -s "$script" \
         "http://127.0.0.1:$hport/v1/filter" | sed -n 's/BENCH requests=\([0-9]*\).*/\1/p')
  kill -INT "$cpid"; wait "$cpid" 2>/dev/null || true
  pids=()
  callgrind_annotate --inclusive=yes "$tmp/cg.out" > "$tmp/cg.txt" 2>/dev/null
  per() { # pattern count
    local n
    n=$(grep -E "$1" "$tmp/cg.txt" | head -1 | awk '{print $1}' | tr -d ,)
    echo $(( ${n:-0} / ($2 > 0 ? $2 : 1) ))
  }
  ti=$(per 'thrift_server.c:on_read \[' "${cg_t:-0}")
  hi=$(per 'runtime/server.c:on_read \[' "${cg_h:-0}")
  profile="Instructions per answer under callgrind (${cg_t:-0} Thrift calls, then ${cg_h:-0}
one-row HTTP requests, 4 connections each, on one server; each protocol's read callback,
inclusive, divided by its count):

| protocol | instructions per answer | of which |
|---|---|---|
| Thrift (unframed) | **$ti** | decode $(per 'bg_thrift_decode \[' "${cg_t:-0}"), features $(per 'extract_thrift \[' "${cg_t:-0}"), predict and reply $(( $(per 'bg_thrift_answer \[' "${cg_t:-0}") - $(per 'extract_thrift \[' "${cg_t:-0}") )) |
| HTTP /v1/filter, one row | **$hi** | HTTP parsing and the handler $(per 'http_parser_execute \[' "${cg_h:-0}"), of which cJSON $(per 'cJSON_ParseWithLengthOpts \[' "${cg_h:-0}") |

Thrift / HTTP in instructions: **$(awk -v t="$ti" -v h="$hi" 'BEGIN {printf "%.2f", (t > 0) ? t / h : 0}')** (the kernel's share of a
request, socket reads and writes, is the same for both and not counted here)."
fi

h1=$(cut -d' ' -f1 "$tmp/h1" | median); hn=$(cut -d' ' -f1 "$tmp/hn" | median)
tu=$(cut -d' ' -f1 "$tmp/tu" | median); tf=$(cut -d' ' -f1 "$tmp/tf" | median)
ratio=$(awk -v t="$tu" -v h="$h1" 'BEGIN {printf "%.2f", t / h}')
rows=$(/usr/bin/python3 -c 'import json,sys; rs=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print("%.1f" % (sum(len(r["imp"]) * len(r.get("ext", {}).get("bidders", [1])) for r in rs) / len(rs)))' "$requests")
row_p() { # file -> "median-rate p50 p99" of the median round
  sort -g -k1 "$1" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}
read -r _ h1p50 h1p99 h1e < <(row_p "$tmp/h1")
read -r _ hnp50 hnp99 hne < <(row_p "$tmp/hn")
read -r _ tup50 tup99 tue < <(row_p "$tmp/tu")
read -r _ tfp50 tfp99 tfe < <(row_p "$tmp/tf")

cat > "$out" <<MD
## Thrift endpoint: BidRequestFilter.filter next to HTTP /v1/filter

Command: \`make bench-thrift\` (tools/bench-thrift.sh), $(date -u +%Y-%m-%d) on $(nproc) CPUs
($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); load average
$load_start at the start, $load_end at the end (a shared machine: other builds running at the
same time make every figure noisy).

Setup: bidgate (models/aws-rtb, one event loop) serving HTTP and unframed Thrift at once,
pinned to CPU 0, and a second, idle while the others run, for framed Thrift on the same CPU; the load generators pinned to CPU 1, on loopback. HTTP: wrk 4.1 (one thread,
tests/bench/post.lua) POSTing the $(wc -l < "$requests") requests of tests/bench/requests.jsonl cut to one
impression and one bidder each, so a request is one score as a Thrift call is, and the same
requests as they are ($rows scores per request on average) for reference. Thrift:
build/amd64/thrift-load (tests/bench/thrift_load.c, one thread, epoll), binary protocol with
strict headers, each call made of the same requests' fields (domain, region, city, user agent,
bidder; plus bidId, dayOfWeek, hour). Both clients are closed-loop: each connection sends its
next request when the last answer arrives. $CONNS connections, $ROUNDS rounds of ${DURATION} s
each, the four loads alternating within every round; the median counts.

| protocol | requests or calls per second (each round) | median | p50 / p99 (us), median round | errors |
|---|---|---|---|---|
| HTTP /v1/filter, one row per request | $(cut -d' ' -f1 "$tmp/h1" | tr '\n' ' ') | **${h1%.*}** | $h1p50 / $h1p99 | $h1e |
| Thrift, unframed | $(cut -d' ' -f1 "$tmp/tu" | tr '\n' ' ') | **${tu%.*}** | $tup50 / $tup99 | $tue |
| Thrift, framed | $(cut -d' ' -f1 "$tmp/tf" | tr '\n' ' ') | **${tf%.*}** | $tfp50 / $tfp99 | $tfe |
| HTTP /v1/filter, requests as they are ($rows rows each) | $(cut -d' ' -f1 "$tmp/hn" | tr '\n' ' ') | **${hn%.*}** | $hnp50 / $hnp99 | $hne |

Thrift / HTTP (unframed vs one-row HTTP, same work per answer): **${ratio}x**. When other
work shares the machine, rounds differ by up to 2x; the instruction counts at the end are the
repeatable comparison. The server's
own count of malformed Thrift messages during the runs: unframed run ${errs_u:-errors=?},
framed run ${errs_f:-errors=?}.

One connection (the round trip alone, no queueing): HTTP one-row ${h1_1%.*} requests/s, p50
$h1_p50 us, p99 $h1_p99 us; Thrift unframed ${tu_1%.*} calls/s, p50 $tu_p50 us, p99 $tu_p99 us.

The Python client generated from the IDL (python3-thrift, accelerated binary protocol, one
connection, the tests' client) makes **$py_rate calls/s**: far too slow to load the server,
hence thrift-load. Both load generators share CPU 1 with nothing else of ours, but wrk
parses HTTP answers and thrift-load only checks 34-byte replies, so the client side is not
equal either; read the ratio as "a Thrift call costs the server less than an HTTP request
carrying the same features", not as an exact factor. The saving is the JSON: a Thrift call
arrives already split into typed fields, where HTTP needs a UTF-8 check, a cJSON parse of a
~1 KB document and a JSON answer.

$profile
MD
echo "bench-thrift: HTTP one-row ${h1%.*} req/s, Thrift ${tu%.*} calls/s unframed, ${tf%.*} framed" >&2
