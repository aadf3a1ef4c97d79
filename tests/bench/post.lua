-- tests/bench/post.lua - wrk script for `make bench`: POST /v1/filter with realistic OpenRTB
-- BidRequests (~1 KB each), cycling through every line of $BENCH_REQUESTS (one JSON per line).
-- Requests are formatted once at start, so wrk's own per-request cost stays small.
local reqs = {}
local path = os.getenv("BENCH_REQUESTS") or "tests/bench/requests.jsonl"
for line in io.lines(path) do
  if #line > 0 then
    reqs[#reqs + 1] = wrk.format("POST", "/v1/filter",
      {["Content-Type"] = "application/json", ["Host"] = "bench"}, line)
  end
end
assert(#reqs > 0, "no requests in " .. path)

local i = 0
function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  io.write(string.format("BENCH requests=%d errors=%d p50_us=%d p90_us=%d p99_us=%d "
    .. "max_us=%d duration_us=%d\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    summary.duration))
end
