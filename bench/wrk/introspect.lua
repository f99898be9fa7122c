-- POST /api/v1/auth/introspect (RFC 7662) with thread i's access token (line i of
-- $BENCH_TOKENS) as the form's `token`, authenticated with HTTP Basic as the bench's
-- introspection client ($BENCH_BASIC: base64 of "id:secret"). Every answer must be
-- {"active":true,...}: an inactive answer (wrong token, session gone) counts as failed, so the
-- figure is of tokens that really went through the session look-up.
local common = dofile("bench/wrk/common.lua")

setup = common.setup

function init(args)
  inactive = 0
  local basic = os.getenv("BENCH_BASIC")
  if basic == nil or basic == "" then error("set BENCH_BASIC to base64(id:secret)") end
  wrk.method = "POST"
  wrk.path = "/api/v1/auth/introspect"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Authorization"] = "Basic " .. basic
  -- JWTs are URL-safe (A-Z a-z 0-9 - _ .), so the form needs no escaping.
  wrk.body = "token=" .. token .. "&token_type_hint=access_token"
end

function response(status, hdrs, body)
  if status == 200 and not string.find(body, '"active"%s*:%s*true') then
    inactive = inactive + 1
  end
end

function done(summary, latency, requests)
  common.done(summary, latency, function(thread) return thread:get("inactive") end)
end
