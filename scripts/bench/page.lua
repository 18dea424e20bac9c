-- wrk script: GETs of one page (scripts/bench.sh), either by many signed-in users, a different
-- one on each request so that no per-user cache can serve them all, or by visitors without a
-- session. Both are asked and checked by this same code, so that the load generator costs the
-- same on both sides of a signed-in/anonymous comparison (it shares this box's two cores with
-- the server: a plain `wrk` run, without Lua, leaves the server more of them).
-- Environment: BENCH_COOKIES = file with one `rbay_session=...` per line: signed in; unset:
-- anonymous.
-- Counts the wrong answers, which would make the figure meaningless: for a signed-in user, a
-- page without the sign-out form (a dead session); for a visitor, one without the header's
-- "Sign up" link.
local cookies = {}
local cookie_file = os.getenv("BENCH_COOKIES")
if cookie_file and cookie_file ~= "" then
  for line in io.lines(cookie_file) do
    cookies[#cookies + 1] = line
  end
end
local expected = #cookies > 0 and "signout-form" or 'href="/auth/signup"'
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  wrong = 0
end

function request()
  n = n + 1
  local headers = { ["Accept"] = "text/html" }
  if #cookies > 0 then
    headers["Cookie"] = cookies[(n * 2 + id) % #cookies + 1]
  end
  return wrk.format("GET", nil, headers)
end

function response(status, headers, body)
  if status == 200 and not body:find(expected, 1, true) then
    wrong = wrong + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("wrong")
  end
  local who = #cookies > 0 and "signed-in" or "anonymous"
  io.write(string.format("wrong answers: %d (pages not for a %s reader)\n", total, who))
end
