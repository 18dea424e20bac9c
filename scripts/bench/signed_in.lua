-- wrk script: GETs of one page by many signed-in users, a different one on each request, so
-- that no per-user cache can serve them all (scripts/bench.sh).
-- Environment: BENCH_COOKIES = file with one `rbay_session=...` per line.
-- Counts the answers that were not pages for a signed-in user (a dead session shows
-- "Sign in"): they would make the figure meaningless.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  cookies[#cookies + 1] = line
end
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  signed_out = 0
end

function request()
  n = n + 1
  return wrk.format("GET", nil, {
    ["Accept"] = "text/html",
    ["Cookie"] = cookies[(n * 2 + id) % #cookies + 1],
  })
end

function response(status, headers, body)
  if status == 200 and not body:find("signout-form", 1, true) then
    signed_out = signed_out + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("signed_out")
  end
  io.write(string.format("signed-out answers: %d\n", total))
end
