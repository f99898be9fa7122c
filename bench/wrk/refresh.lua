-- POST /api/v1/auth/refresh, one refresh-token chain per connection: run wrk with as many
-- threads as connections (-t N -c N), so each thread owns one connection and one session,
-- and each response's refresh_token is that connection's next request. A failed rotation
-- breaks its chain (the next request presents a retired token, which revokes the session),
-- so the figure is only valid with failed=0; the script reports failures, never hides them.
local common = dofile("bench/wrk/common.lua")

setup = common.setup

function init(args)
  bad = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  return wrk.format("POST", "/api/v1/auth/refresh", headers,
    '{"refresh_token":"' .. token .. '"}')
end

function response(status, hdrs, body)
  if status == 200 then
    local next_token = string.match(body, '"refresh_token":"([^"]+)"')
    if next_token then token = next_token else bad = bad + 1 end
  end
end

function done(summary, latency, requests)
  common.done(summary, latency, function(thread) return thread:get("bad") end)
end
