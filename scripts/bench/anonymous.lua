-- wrk script: GETs of one page by visitors without a session (scripts/bench.sh), asked and
-- checked exactly as signed_in.lua asks and checks its signed-in pages, so that the load
-- generator costs the same on both sides of the comparison (it shares this box's two cores
-- with the server: a plain `wrk` run, without Lua, leaves the server more of them).
-- Counts the answers that were not pages for a visitor (no "Sign up" link in the header).
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  not_anonymous = 0
end

function request()
  n = n + 1
  return wrk.format("GET", nil, {
    ["Accept"] = "text/html",
  })
end

function response(status, headers, body)
  if status == 200 and not body:find('href="/auth/signup"', 1, true) then
    not_anonymous = not_anonymous + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("not_anonymous")
  end
  io.write(string.format("not-anonymous answers: %d\n", total))
end
