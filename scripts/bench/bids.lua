-- wrk script: many signed-in bidders on one hot item (scripts/bench.sh).
-- Environment: BENCH_COOKIES = file with one `rbay_session=...` per line,
--              BENCH_ITEM = item id, BENCH_ORIGIN = http://host:port
-- Each thread bids the minimum the last answer it got asked for (accepted bids answer the
-- next minimum, refused ones the current one), so most bids are valid and some lose a race
-- to another client: both are answered and counted. Counts accepted bids and non-200s.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  cookies[#cookies + 1] = line
end
local item = os.getenv("BENCH_ITEM")
local origin = os.getenv("BENCH_ORIGIN")
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  n = 0
  accepted = 0
  errors = 0
  minimum = 100
end

function request()
  n = n + 1
  local body = string.format("item_id=%s&amount=%d.%02d", item, math.floor(minimum / 100), minimum % 100)
  local cookie = cookies[(n * 2 + id) % #cookies + 1]
  return wrk.format("POST", "/api/items/bid", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Origin"] = origin,
    ["Cookie"] = cookie,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    return
  end
  if body:find("Accepted", 1, true) then
    accepted = accepted + 1
  end
  local next_min = body:match('"min_next_cents":(%d+)')
  if next_min then
    minimum = math.max(minimum, tonumber(next_min))
  end
end

function done(summary, latency, requests)
  local total, failed = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("accepted")
    failed = failed + thread:get("errors")
  end
  io.write(string.format("accepted bids: %d\nnon-200 answers: %d\n", total, failed))
end
