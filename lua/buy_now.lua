-- Buy It Now: buy at the fixed price while no bid has been placed (or while the reserve is not
-- met); the auction ends at once. Atomic with every bid, so a Buy It Now racing a bid has
-- exactly one outcome.
-- KEYS[1] = item state   KEYS[2] = bid history   KEYS[3] = item event stream
-- KEYS[4] = shard's price ranking   KEYS[5] = shard's views ranking
-- KEYS[6] = shard's ending ranking  KEYS[7] = shard's index-dirty set
-- KEYS[8] = shard's stats log (see `record_stats` in prelude.lua)
-- KEYS[9] = item document (for its category)
-- KEYS[10..] = the shard's ending ranking of each category (see `category_ranking`)
-- ARGV[1] = buyer id   ARGV[2] = buyer name   ARGV[3] = item id   ARGV[4] = pub/sub channel
-- ARGV[5..] = the slugs of the categories of KEYS[10..], in the same order
-- Returns { 'bought', price, time (ms) } | { 'not_found' } | { 'ended' } | { 'own_item' }
--       | { 'unavailable' } (no Buy It Now price, or bidding has taken over)
local s = redis.call('HMGET', KEYS[1], 'seller_id', 'ends_at', 'closed', 'buy_now', 'bids',
  'reserve', 'price')
if not s[1] then
  return { 'not_found' }
end
local now = now_ms()
if now >= tonumber(s[2]) or s[3] == '1' then
  return { 'ended' }
end
if s[1] == ARGV[1] then
  return { 'own_item' }
end
local price = tonumber(s[4]) or 0
local bids = tonumber(s[5]) or 0
local reserve = tonumber(s[6]) or 0
local reserve_met = reserve == 0 or tonumber(s[7]) >= reserve
if price <= 0 or (bids > 0 and reserve_met) then
  return { 'unavailable' }
end
-- Analytics: a Buy It Now is a bid at that price (a new bidder when nobody had bid).
record_stats(8, s[1], ARGV[3], { b = 1, u = bids == 0 and 1 or 0 }, 5,
  math.max(price - tonumber(s[7]), 0))
bids = bids + 1
redis.call('HSET', KEYS[1],
  'price', price, 'bids', bids, 'high_bidder_id', ARGV[1], 'high_bidder_name', ARGV[2],
  'high_max', price, 'last_bid_at', now, 'ends_at', now, 'closed', 1, 'closed_at', now,
  'outcome', 'bought')
redis.call('LPUSH', KEYS[2], ARGV[1] .. '|' .. price .. '|' .. now .. '|n|' .. ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('ZREM', KEYS[5], ARGV[3])
redis.call('ZREM', KEYS[6], ARGV[3])
redis.call('ZREM', category_ranking(redis.call('HGET', KEYS[9], 'category'), 10, 5), ARGV[3])
redis.call('SADD', KEYS[7], ARGV[3])
emit(KEYS[3], ARGV[4], 'ended', {
  type = 'ended',
  winner_name = ARGV[2],
  price_cents = price,
  reserve_met = true,
  bought = true,
})
return { 'bought', price, now }
