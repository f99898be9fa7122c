-- wrk script for scripts/hardening/load.sh: mixed traffic on keep-alive connections.
--
-- Per wrk thread: the users of BATON_LOAD_TOKENS whose line number falls to this thread.
-- Per 100 requests: 1 login (right password; at most LOGINS_PER_SECOND per thread), about 29
-- refreshes, the rest GET /me. Refresh tokens are a queue: each is sent once and its
-- successor (from the 200 response) goes back into the queue, so every chain keeps rotating
-- and no token is ever replayed; with the queue empty the request becomes a /me.
-- Counts answers by status class and prints them from done() for load.sh to check.

local threads = {}
local PASSWORD = os.getenv("BATON_LOAD_PASSWORD") or "correct horse battery"
local LOGINS_PER_SECOND = 5

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local nthreads = tonumber(os.getenv("BATON_LOAD_THREADS"))
  users, queue = {}, {}
  local line_no = 0
  for line in io.lines(os.getenv("BATON_LOAD_TOKENS")) do
    if line_no % nthreads == id - 1 then
      local email, access, refresh = line:match("^(%S+) (%S+) (%S+)$")
      table.insert(users, { email = email, access = access })
      table.insert(queue, refresh)
    end
    line_no = line_no + 1
  end
  n, second, logins_left = 0, 0, 0
  c2, c4, c5, cother = 0, 0, 0, 0
  sent_login, sent_refresh, sent_me = 0, 0, 0
  json = { ["Content-Type"] = "application/json" }
end

function request()
  n = n + 1
  local now = os.time()
  if now ~= second then second, logins_left = now, LOGINS_PER_SECOND end
  local slot = n % 100
  if slot == 0 and logins_left > 0 then
    logins_left = logins_left - 1
    sent_login = sent_login + 1
    local u = users[math.random(#users)]
    local body = '{"email":"' .. u.email .. '","password":"' .. PASSWORD .. '"}'
    return wrk.format("POST", "/api/v1/auth/login", json, body)
  end
  if slot < 30 and #queue > 0 then
    sent_refresh = sent_refresh + 1
    local token = table.remove(queue)
    return wrk.format("POST", "/api/v1/auth/refresh", json, '{"refresh_token":"' .. token .. '"}')
  end
  sent_me = sent_me + 1
  local u = users[math.random(#users)]
  return wrk.format("GET", "/api/v1/auth/me", { ["Authorization"] = "Bearer " .. u.access })
end

function response(status, headers, body)
  if status >= 500 then
    c5 = c5 + 1
  elseif status >= 400 then
    c4 = c4 + 1
  elseif status >= 200 and status < 300 then
    c2 = c2 + 1
    local refresh = body:match('"refresh_token":"([^"]+)"')
    if refresh then table.insert(queue, refresh) end
  else
    cother = cother + 1
  end
end

function done(summary, latency, requests)
  local t = { c2 = 0, c4 = 0, c5 = 0, cother = 0, sent_login = 0, sent_refresh = 0, sent_me = 0 }
  for _, thread in ipairs(threads) do
    for k in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d 2xx=%d 4xx=%d 5xx=%d other=%d logins=%d refreshes=%d me=%d " ..
    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, t.c2, t.c4, t.c5, t.cother, t.sent_login, t.sent_refresh, t.sent_me,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
