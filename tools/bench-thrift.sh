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
# thrift_load.c), closed loop like wrk, calls made of the same requests' fields. ROUNDS
# alternating rounds of DURATION s with CONNS connections; the median counts. Then one
# connection each, for the round trip alone.
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
bpid=""
cleanup() {
  if [ -n "$bpid" ]; then kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null || true; fi
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

start_server() { # transport
  taskset -c 0 "$bin" --host 127.0.0.1 --port 0 --thrift-port 0 --thrift-transport "$1" \
    --bidders dsp-alpha > "$tmp/bidgate.out" 2> "$tmp/bidgate.err" &
  bpid=$!
  for _ in $(seq 100); do grep -q "thrift on" "$tmp/bidgate.out" 2>/dev/null && break; sleep 0.05; done
  hport=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/bidgate.out")
  tport=$(sed -n 's|.*thrift on 127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/bidgate.out")
  if [ -z "$hport" ] || [ -z "$tport" ]; then
    echo "bench-thrift: bidgate did not start" >&2
    exit 1
  fi
}
stop_server() {
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  bpid=""
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
thrift() { # conns [--framed]
  local o extra=()
  [ $# -ge 2 ] && extra=("$2")
  o=$(taskset -c 1 "$load" --port "$tport" --connections "$1" --duration "$DURATION" \
      --calls "$tmp/calls.tsv" "${extra[@]}")
  sed -n 's/.*rate=\([0-9]*\).*p50_us=\([0-9]*\).*p99_us=\([0-9]*\).*/\1 \2 \3/p' <<<"$o" |
    tr '\n' ' '
  sed -n 's/.*errors=\([0-9]*\).*/\1/p' <<<"$o"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$tmp/h1"; : > "$tmp/hn"; : > "$tmp/tu"; : > "$tmp/tf"
start_server unframed
for r in $(seq "$ROUNDS"); do
  http "$tmp/one-row.jsonl" "$CONNS" >> "$tmp/h1"
  thrift "$CONNS" >> "$tmp/tu"
  http "$requests" "$CONNS" >> "$tmp/hn"
  echo "bench-thrift: round $r: HTTP one-row $(tail -1 "$tmp/h1" | cut -d' ' -f1) req/s, Thrift $(tail -1 "$tmp/tu" | cut -d' ' -f1) calls/s" >&2
done
read -r h1_1 h1_p50 h1_p99 _ < <(http "$tmp/one-row.jsonl" 1)
read -r tu_1 tu_p50 tu_p99 _ < <(thrift 1)
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
stop_server
errs_u=$(grep -o 'errors=[0-9]*' "$tmp/bidgate.err" | head -1 || true)
start_server framed
for r in $(seq "$ROUNDS"); do thrift "$CONNS" --framed >> "$tmp/tf"; done
stop_server
errs_f=$(grep -o 'errors=[0-9]*' "$tmp/bidgate.err" | head -1 || true)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

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

Setup: one bidgate process (models/aws-rtb, one event loop) serving HTTP and Thrift at once,
pinned to CPU 0; the load generators pinned to CPU 1, on loopback. HTTP: wrk 4.1 (one thread,
tests/bench/post.lua) POSTing the $(wc -l < "$requests") requests of tests/bench/requests.jsonl cut to one
impression and one bidder each, so a request is one score as a Thrift call is, and the same
requests as they are ($rows scores per request on average) for reference. Thrift:
build/amd64/thrift-load (tests/bench/thrift_load.c, one thread, epoll), binary protocol with
strict headers, each call made of the same requests' fields (domain, region, city, user agent,
bidder; plus bidId, dayOfWeek, hour). Both clients are closed-loop: each connection sends its
next request when the last answer arrives. $CONNS connections, $ROUNDS alternating rounds of
${DURATION} s, median.

| protocol | requests or calls per second (each round) | median | p50 / p99 (us), median round | errors |
|---|---|---|---|---|
| HTTP /v1/filter, one row per request | $(cut -d' ' -f1 "$tmp/h1" | tr '\n' ' ') | **${h1%.*}** | $h1p50 / $h1p99 | $h1e |
| Thrift, unframed | $(cut -d' ' -f1 "$tmp/tu" | tr '\n' ' ') | **${tu%.*}** | $tup50 / $tup99 | $tue |
| Thrift, framed | $(cut -d' ' -f1 "$tmp/tf" | tr '\n' ' ') | **${tf%.*}** | $tfp50 / $tfp99 | $tfe |
| HTTP /v1/filter, requests as they are ($rows rows each) | $(cut -d' ' -f1 "$tmp/hn" | tr '\n' ' ') | **${hn%.*}** | $hnp50 / $hnp99 | $hne |

Thrift / HTTP (unframed vs one-row HTTP, same work per answer): **${ratio}x**. The server's
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
MD
echo "bench-thrift: HTTP one-row ${h1%.*} req/s, Thrift ${tu%.*} calls/s unframed, ${tf%.*} framed" >&2
