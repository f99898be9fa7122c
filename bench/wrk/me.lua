-- GET /api/v1/auth/me with a bearer access token (thread i uses line i of $BENCH_TOKENS).
-- The same script drives the bare handler, which ignores the header, so both sides of the
-- ratio pay the same load-generator cost.
local common = dofile("bench/wrk/common.lua")

setup = common.setup

function init(args)
  wrk.method = "GET"
  wrk.path = "/api/v1/auth/me"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  common.done(summary, latency)
end
