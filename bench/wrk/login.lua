-- POST /api/v1/auth/login with the right password, cycling through the bench users
-- bench-<k>@example.com / bench-password-<k> for k in 0..$BENCH_USERS-1; thread i starts
-- at user i and steps by $BENCH_LOGIN_CLIENTS (run with -t = -c = that), so concurrent
-- logins are of different users.
local common = dofile("bench/wrk/common.lua")

setup = common.setup

function init(args)
  users = tonumber(os.getenv("BENCH_USERS") or "64")
  step = tonumber(os.getenv("BENCH_LOGIN_CLIENTS") or "1")
  k = index
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  local user = k % users
  k = k + step
  return wrk.format("POST", "/api/v1/auth/login", headers, string.format(
    '{"email":"bench-%d@example.com","password":"bench-password-%d"}', user, user))
end

function done(summary, latency, requests)
  common.done(summary, latency)
end
