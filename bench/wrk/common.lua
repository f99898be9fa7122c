-- Shared by the wrk scripts of `just bench`: reads one token per line from the file named
-- by $BENCH_TOKENS; thread i (0-based) gets line i as `token`, and, as `tokens` (one per
-- line), every line k with k mod $BENCH_THREADS = i: its share when it keeps one token per
-- connection. Prints one machine-readable line at the end:
--   bench ok=N failed=N seconds=S rps=R little_rps=L mean_ms=M p50_ms=X p99_ms=Y
-- where rps counts only successful responses (2xx) and latencies cover every response;
-- little_rps is $BENCH_CONNECTIONS / mean latency (see below).

local M = {}
local tokens = {}
M.threads = {}

function M.setup(thread)
  if #tokens == 0 then
    local file = os.getenv("BENCH_TOKENS")
    if file == nil or file == "" then
      error("set BENCH_TOKENS to a file of tokens, one per line")
    end
    for line in io.lines(file) do
      if line ~= "" then tokens[#tokens + 1] = line end
    end
  end
  local i = #M.threads + 1
  local token = tokens[(i - 1) % #tokens + 1]
  local threads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local share = {}
  for k = i, #tokens, threads do share[#share + 1] = tokens[k] end
  thread:set("token", token)
  thread:set("tokens", table.concat(share, "\n"))
  thread:set("index", i - 1)
  M.threads[i] = thread
end

-- `extra_failed(thread)` adds failures a script counts itself (e.g. an unparsable body).
function M.done(summary, latency, extra_failed)
  local seconds = summary.duration / 1e6
  local failed = summary.errors.status + summary.errors.timeout + summary.errors.read
    + summary.errors.write + summary.errors.connect
  if extra_failed then
    for _, thread in ipairs(M.threads) do failed = failed + extra_failed(thread) end
  end
  local ok = summary.requests - summary.errors.status
  if extra_failed then
    for _, thread in ipairs(M.threads) do ok = ok - extra_failed(thread) end
  end
  -- Little's law: a closed loop of N connections, each always waiting for one response,
  -- completes N / mean-latency requests per second. Unlike ok / seconds it does not depend
  -- on how many slow requests happened to finish before the deadline, which matters when
  -- each request takes a good part of a second (logins at bcrypt cost 12).
  local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "0")
  local little = 0
  if connections > 0 and latency.mean > 0 then little = connections / (latency.mean / 1e6) end
  io.write(string.format(
    "bench ok=%d failed=%d seconds=%.3f rps=%.1f little_rps=%.2f mean_ms=%.2f p50_ms=%.2f p99_ms=%.2f\n",
    ok, failed, seconds, ok / seconds, little, latency.mean / 1000,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end

return M
