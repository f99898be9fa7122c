-- POST /api/v1/auth/refresh, one refresh-token chain per connection: each response's
-- refresh_token is presented by the thread's next request. A thread runs several connections
-- (wrk -t 2 -c 64, as pgbench -j 2 -c 64 runs its clients), so it keeps its chains in a free
-- list: a request takes one, its response puts the successor back. A connection has at most
-- one request in flight, so a thread with as many chains as connections always has one free.
-- A failed rotation breaks its chain (its successor is lost; presenting the old token again
-- would revoke the session), so the figure is only valid with failed=0: the script reports
-- failures, never hides them.
local common = dofile("bench/wrk/common.lua")

setup = common.setup

function init(args)
  bad = 0
  free = {}
  for t in string.gmatch(tokens, "[^\n]+") do free[#free + 1] = t end
  headers = { ["Content-Type"] = "application/json" }
  -- wrk calls request() once on the first thread before connecting, to check the request
  -- it builds: that call must not take a chain.
  checking = (index == 0)
end

function request()
  local t
  if checking then
    checking = false
    t = free[#free]
  else
    t = table.remove(free)
  end
  if t == nil then
    -- No chain left: a failed response lost one. Send no token (400) so it shows as failed.
    t = ""
  end
  return wrk.format("POST", "/api/v1/auth/refresh", headers, '{"refresh_token":"' .. t .. '"}')
end

function response(status, hdrs, body)
  if status == 200 then
    local next_token = string.match(body, '"refresh_token":"([^"]+)"')
    if next_token then free[#free + 1] = next_token else bad = bad + 1 end
  end
end

function done(summary, latency, requests)
  common.done(summary, latency, function(thread) return thread:get("bad") end)
end
