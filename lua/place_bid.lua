-- Place a bid, atomically, by eBay's rules for maximum (proxy) bids: every rule is checked and
-- every change made in one step, the live event included.
--
-- A bid is the most the bidder will pay (their maximum). The price shown is the lowest that
-- keeps the leader ahead: min(leader's maximum, second-highest maximum + one increment); a
-- tie between maximums goes to the earlier one; raising your own maximum while leading does not
-- raise the price; with a reserve, a maximum at or above it lifts the price to the reserve at
-- once. Maximums are never shown: only their owner reads theirs. The automatic bids the system
-- places for the leader are recorded in the history as such.
-- Soft close: a bid accepted in the last 2 minutes moves the end to 2 minutes after it, at most
-- 1 hour past the original end.
--
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = bid history (list, newest first)   KEYS[10] = the item's maximums (hash: bidder → cents)
-- KEYS[11] = the shard's blocked bidders (hash `<seller>:<bidder>`, src/moderation)
-- KEYS[12] = when each maximum was set, and by whom (hash: bidder → `ms|name`; ties go to the
--            earlier one when cancel_bids.lua works the leader out again)
-- KEYS[13..] = the shard's ending ranking of each category (see `category_ranking`)
-- ARGV[3] = bidder id   ARGV[4] = bidder name   ARGV[5] = maximum (integer cents)
-- ARGV[6..] = the slugs of the categories of KEYS[13..], in the same order
-- Returns { status, price, bid count, next minimum, time (ms), outbid bidder id or 0,
--           ends at (ms), reserve met (1|0), end moved (1|0), item name when someone was
--           outbid (for their notice) or '' } with status 'leading' (the bidder leads),
--           'outbid' (recorded, but an earlier maximum is higher or equal) or 'raised' (the
--           leader raised their own maximum),
--      or { 'not_found' } | { 'ended' } | { 'own_item' } | { 'too_low', minimum }
--       | { 'removed' } (a moderator hid the listing) | { 'blocked' } (its seller blocked the bidder)
local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'ends_at', 'min_bid', 'bids', 'closed',
  'high_bidder_id', 'high_max', 'price', 'reserve', 'soft_close', 'orig_ends',
  'high_bidder_name', 'start_price')
if not s[1] then
  return { 'not_found' }
end
if redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1 then
  return { 'removed' }
end
local now = now_ms()
local ends = tonumber(s[2])
if now >= ends or s[5] == '1' then
  return { 'ended' }
end
local me, my_name = ARGV[3], ARGV[4]
if s[1] == me then
  return { 'own_item' }
end
if redis.call('HEXISTS', KEYS[11], s[1] .. ':' .. me) == 1 then
  return { 'blocked' }
end
local amount = tonumber(ARGV[5])
local bids = tonumber(s[4])
local price = tonumber(s[8])
local reserve = tonumber(s[9]) or 0
local leader = (s[6] and s[6] ~= '') and s[6] or nil
local leader_name = s[12] or ''
local leader_max = tonumber(s[7]) or 0
local status, outbid = 'leading', 0
local rows = {}
local function record(id, name, cents, auto)
  redis.call('LPUSH', KEYS[9], id .. '|' .. cents .. '|' .. now .. '|' .. (auto and 'a' or 'b') .. '|' .. name)
  bids = bids + 1
  table.insert(rows, { bidder_id = tonumber(id), bidder_name = name, amount_cents = cents, auto = auto })
end
-- The reserve rule (prelude) with this item's reserve.
local function lift(p, max)
  return lift_to_reserve(p, max, reserve)
end

if not leader then
  local start = tonumber(s[13])
  if amount < start then
    return { 'too_low', start }
  end
  price = lift(start, amount)
  leader, leader_name, leader_max = me, my_name, amount
  record(me, my_name, price, false)
elseif leader == me then
  if amount <= leader_max then
    return { 'too_low', leader_max + 1 }
  end
  status = 'raised'
  leader_max = amount
  local lifted = lift(price, amount)
  if lifted > price then
    price = lifted
    record(me, my_name, price, false)
  end
else
  local minimum = tonumber(s[3])
  if amount < minimum then
    return { 'too_low', minimum }
  end
  if amount > leader_max then
    -- The challenger's maximum is higher: the old leader's maximum is bid for them, then the
    -- challenger leads by one increment over it (or by less, up to their own maximum).
    if leader_max > price then
      record(leader, leader_name, leader_max, true)
    end
    price = lift(math.min(amount, leader_max + increment(leader_max)), amount)
    outbid = tonumber(leader)
    leader, leader_name, leader_max = me, my_name, amount
    record(me, my_name, price, false)
  else
    -- The leader's maximum holds (ties go to the earlier maximum): the bid is recorded, and the
    -- leader's automatic bid answers it.
    record(me, my_name, amount, false)
    price = lift(math.min(leader_max, amount + increment(amount)), leader_max)
    record(leader, leader_name, price, true)
    status = 'outbid'
  end
end

local next_min = price + increment(price)
redis.call('HSET', KEYS[I_STATE],
  'price', price,
  'min_bid', next_min,
  'bids', bids,
  'high_bidder_id', leader,
  'high_bidder_name', leader_name,
  'high_max', leader_max,
  'last_bid_at', now)
-- Each bidder's own maximum, for their eyes only.
local mine = tonumber(redis.call('HGET', KEYS[10], me) or '0')
if amount > mine then
  redis.call('HSET', KEYS[10], me, amount)
  redis.call('HSET', KEYS[12], me, now .. '|' .. my_name)
end
-- Analytics: the bids added to the history (the item's bid count: the bidder's and any
-- automatic bid it caused), a new bidder when it is their first maximum on the item, and the
-- rise of the price.
record_stats(I_STATS, s[1], ARGV[A_ITEM], { b = #rows, u = mine == 0 and 1 or 0 }, 5,
  price - tonumber(s[8]), 'u:' .. me)
if #rows == 0 then
  -- A leader raised their maximum without moving the price: nothing public happened, but
  -- their own page shows it.
  touch_item()
  return { status, price, bids, next_min, now, 0, ends, (reserve == 0 or price >= reserve) and 1 or 0, 0 }
end
redis.call('ZADD', KEYS[I_PRICE], 'XX', price, ARGV[A_ITEM])
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
-- Soft close.
local moved_end = 0
if s[10] == '1' and ends - now < 120000 then
  local cap = (tonumber(s[11]) or ends) + 3600000
  local moved = math.min(now + 120000, cap)
  if moved > ends then
    ends = moved
    moved_end = 1
    redis.call('HSET', KEYS[I_STATE], 'ends_at', ends)
    redis.call('ZADD', KEYS[I_ENDING], 'XX', ends, ARGV[A_ITEM])
    redis.call('ZADD', category_ranking(redis.call('HGET', KEYS[I_DOC], 'category'), 13, 6), 'XX',
      ends, ARGV[A_ITEM])
  end
end
local reserve_met = (reserve == 0 or price >= reserve)
emit_bid(price, bids, next_min, leader, leader_name, now, ends, reserve_met, rows)
local name = outbid ~= 0 and (redis.call('HGET', KEYS[I_DOC], 'name') or '') or ''
return { status, price, bids, next_min, now, outbid, ends, reserve_met and 1 or 0, moved_end, name }
