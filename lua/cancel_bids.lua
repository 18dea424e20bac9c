-- Cancel one bidder's bids on an item that is not closed yet — its seller blocked them, or a
-- moderator suspended them — as a bid retraction works on eBay: their maximum is gone, so it
-- answers nobody and wins nothing; the leader and the price are worked out again from the
-- maximums that remain, by place_bid.lua's rules (the highest maximum leads, a tie goes to the
-- earlier one; the price is the second-highest maximum plus one increment, at most the
-- leader's maximum; the start price when one bidder is left; a maximum at or over the reserve
-- lifts the price to it); their rows in the history are marked cancelled (kind `x`), and the
-- new price goes on top as the leader's automatic bid, so the history says what happened.
--
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = bid history (list, newest first)   KEYS[10] = the item's maximums (bidder → cents)
-- KEYS[11] = when each maximum was set and by whom (bidder → `ms|name`; missing for maximums
--            older than it)
-- KEYS[12] = the shard's blocked bidders (hash `<seller>:<bidder>`)
-- ARGV[3] = bidder id   ARGV[4] = why: 'blocked' (done only while the item's seller still
-- blocks them: checked here, in the same step) or 'suspended' (the account lives in another
-- slot: the caller checks it first; a suspension lifted meanwhile does not bring bids back)
-- ARGV[5], ARGV[6] = optional: a bidder id and their name, for a new leader whose name this
-- item does not hold (a maximum older than KEYS[11] whose rows are not among the newest 1,000)
-- Returns { 'none' } (no maximum of theirs, or no longer blocked) | { 'not_found' }
--       | { 'closed' } | { 'need_name', bidder id } (nothing changed: call again with their
--         name in ARGV[5..6])
--       | { 'cancelled', price, bids, leader id or 0, the leader before or 0, rows marked,
--           next minimum, reserve met (1|0), the item's name when the lead changed hands or '' }
local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'closed', 'high_bidder_id', 'price',
  'reserve', 'start_price', 'bids', 'high_bidder_name', 'ends_at')
if not s[1] then
  return { 'not_found' }
end
if s[2] == '1' then
  return { 'closed' }
end
local them, why = ARGV[3], ARGV[4]
if why == 'blocked' and redis.call('HEXISTS', KEYS[12], s[1] .. ':' .. them) == 0 then
  return { 'none' }
end
if redis.call('HEXISTS', KEYS[10], them) == 0 then
  return { 'none' }
end

-- The leader and the price again, from the maximums that remain (theirs left out).
local old_leader = (s[3] and s[3] ~= '') and s[3] or nil
local reserve = tonumber(s[5]) or 0
local start = tonumber(s[6])
local set = {}
local times = redis.call('HGETALL', KEYS[11])
for i = 1, #times, 2 do
  local ms, name = string.match(times[i + 1], '^([^|]*)|?(.*)$')
  set[times[i]] = { at = tonumber(ms) or 0, name = name }
end
local leader, leader_max, leader_at, second = nil, 0, 0, nil
local maxes = redis.call('HGETALL', KEYS[10])
for i = 1, #maxes, 2 do
  local id, max = maxes[i], tonumber(maxes[i + 1])
  if id ~= them then
    -- Older maximums have no time: they count as earliest, and the one leading keeps a tie.
    local at = set[id] and set[id].at or 0
    if id == old_leader then at = -1 end
    local better = leader == nil or max > leader_max
      or (max == leader_max and (at < leader_at or (at == leader_at and tonumber(id) < tonumber(leader))))
    if better then
      if leader then second = math.max(second or 0, leader_max) end
      leader, leader_max, leader_at = id, max, at
    else
      second = math.max(second or 0, max)
    end
  end
end

-- History rows, newest first: `id|cents|ms|kind|name`, or `id|cents|ms|name` before kinds.
local function fields(row)
  local id, cents, ms, rest = string.match(row, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if not id then return nil end
  local kind, name = string.match(rest, '^([banx])|(.*)$')
  if not kind then kind, name = 'b', rest end
  return id, cents, ms, kind, name
end
-- The newest 1,000 rows: bounded however long the history (the page shows the newest 50).
local rows = redis.call('LRANGE', KEYS[9], 0, 999)

local price, next_min, leader_name = start, start, ''
if leader then
  price = lift_to_reserve(second and math.min(leader_max, second + increment(second)) or start,
    leader_max, reserve)
  next_min = price + increment(price)
  if leader == old_leader then
    leader_name = s[8] or ''
  elseif set[leader] and set[leader].name ~= '' then
    leader_name = set[leader].name
  else
    for _, row in ipairs(rows) do
      local id, _, _, _, name = fields(row)
      if id == leader then
        leader_name = name
        break
      end
    end
    if leader_name == '' and ARGV[5] == leader then
      leader_name = ARGV[6] or ''
    end
    -- A leader without a name would close unsold: ask before changing anything.
    if leader_name == '' then
      return { 'need_name', tonumber(leader) }
    end
  end
end

redis.call('HDEL', KEYS[10], them)
redis.call('HDEL', KEYS[11], them)
-- Their rows: marked, not removed, so what happened stays readable.
local marked = 0
for i, row in ipairs(rows) do
  local id, cents, ms, kind, name = fields(row)
  if id == them and kind ~= 'x' then
    redis.call('LSET', KEYS[9], i - 1, id .. '|' .. cents .. '|' .. ms .. '|x|' .. name)
    marked = marked + 1
  end
end

local now = now_ms()
local bids = tonumber(s[7]) or 0
local old_price = tonumber(s[4])
local moved = leader ~= old_leader or price ~= old_price
local event_rows = {}
-- The new price goes on top as the leader's automatic bid, when anything public changed (a
-- cancelled maximum under the second-highest changes nothing but its rows).
if leader and moved then
  redis.call('LPUSH', KEYS[9], leader .. '|' .. price .. '|' .. now .. '|a|' .. leader_name)
  bids = bids + 1
  table.insert(event_rows, { bidder_id = tonumber(leader), bidder_name = leader_name,
    amount_cents = price, auto = true })
end
redis.call('HSET', KEYS[I_STATE],
  'price', price,
  'min_bid', next_min,
  'bids', bids,
  'high_bidder_id', leader or '',
  'high_bidder_name', leader_name,
  'high_max', leader and leader_max or '')
redis.call('ZADD', KEYS[I_PRICE], 'XX', price, ARGV[A_ITEM])
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
local reserve_met = reserve == 0 or (leader ~= nil and price >= reserve)
-- Open pages hear the new leader and price as a bid. With nobody left there is no bid to
-- announce: pages show it when next loaded.
if leader and moved then
  emit_bid(price, bids, next_min, leader, leader_name, now, tonumber(s[9]), reserve_met, event_rows)
else
  touch_item()
end
local name = ''
if leader and leader ~= old_leader then
  name = redis.call('HGET', KEYS[I_DOC], 'name') or ''
end
return { 'cancelled', price, bids, leader and tonumber(leader) or 0,
  old_leader and tonumber(old_leader) or 0, marked, next_min, reserve_met and 1 or 0, name }
