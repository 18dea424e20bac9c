-- Place a bid, atomically: every rule is checked and every change made in one step, the live
-- event included (so no accepted bid can go unannounced).
-- KEYS[1] = item state         KEYS[2] = bid history (list, newest first)
-- KEYS[3] = item event stream  KEYS[4] = shard's price ranking
-- KEYS[5] = shard's index-dirty set
-- ARGV[1] = bidder id   ARGV[2] = bidder name   ARGV[3] = amount (integer cents)
-- ARGV[4] = item id     ARGV[5] = the item's pub/sub channel
-- Returns { 'ok', new price, bid count, next minimum, time (ms), outbid bidder id or 0 }
--      or { 'not_found' } | { 'ended' } | { 'own_item' } | { 'too_low', minimum }
--
-- The increment ladder (like eBay's): the next bid must be at least the current price plus
-- an increment that grows with the price. The first bid may equal the starting price.
local function increment(price)
  if price < 100 then return 5            -- under $1: 5¢
  elseif price < 500 then return 25       -- under $5: 25¢
  elseif price < 2500 then return 50      -- under $25: 50¢
  elseif price < 10000 then return 100    -- under $100: $1
  elseif price < 25000 then return 250    -- under $250: $2.50
  elseif price < 50000 then return 500    -- under $500: $5
  elseif price < 100000 then return 1000  -- under $1,000: $10
  elseif price < 250000 then return 2500  -- under $2,500: $25
  elseif price < 500000 then return 5000  -- under $5,000: $50
  else return 10000                       -- $100
  end
end

local item = redis.call('HMGET', KEYS[1], 'seller_id', 'ends_at', 'min_bid', 'bids', 'closed',
  'high_bidder_id')
if not item[1] then
  return { 'not_found' }
end
local now = now_ms()
if now >= tonumber(item[2]) or item[5] == '1' then
  return { 'ended' }
end
if item[1] == ARGV[1] then
  return { 'own_item' }
end
local amount = tonumber(ARGV[3])
local minimum = tonumber(item[3])
if amount == nil or amount < minimum then
  return { 'too_low', minimum }
end

local bids = tonumber(item[4]) + 1
local next_min = amount + increment(amount)
redis.call('HSET', KEYS[1],
  'price', amount,
  'min_bid', next_min,
  'bids', bids,
  'high_bidder_id', ARGV[1],
  'high_bidder_name', ARGV[2],
  'last_bid_at', now)
redis.call('LPUSH', KEYS[2], ARGV[1] .. '|' .. amount .. '|' .. now .. '|' .. ARGV[2])
redis.call('ZADD', KEYS[4], 'XX', amount, ARGV[4])
redis.call('SADD', KEYS[5], ARGV[4])
emit(KEYS[3], ARGV[5], 'bid', {
  type = 'bid',
  price_cents = amount,
  bids = bids,
  min_next_cents = next_min,
  bidder_id = tonumber(ARGV[1]),
  bidder_name = ARGV[2],
  at_ms = now,
})
-- The bidder who led until now, if someone else: they will be told.
local outbid = 0
if item[6] and item[6] ~= '' and item[6] ~= ARGV[1] then
  outbid = tonumber(item[6])
end
return { 'ok', amount, bids, next_min, now, outbid }
