-- Close an auction whose time is up, exactly once: record the outcome (sold to the high
-- bidder at the price, or unsold), take it out of the live rankings, announce the result.
-- KEYS[1] = item state   KEYS[2] = shard's ending ranking   KEYS[3] = shard's price ranking
-- KEYS[4] = shard's views ranking   KEYS[5] = item event stream
-- ARGV[1] = item id   ARGV[2] = the item's pub/sub channel
-- Returns 1 when it closed the auction now, 0 when it was closed already, 2 when there is no
-- such item, -1 when its end has not come yet (the end can move later, never earlier).
local item = redis.call('HMGET', KEYS[1], 'ends_at', 'closed', 'high_bidder_name', 'price',
  'reserve')
if not item[1] then
  return 2
end
if item[2] == '1' then
  return 0
end
if now_ms() < tonumber(item[1]) then
  return -1
end
local winner = item[3]
local reserve = tonumber(item[5]) or 0
local reserve_met = reserve == 0 or tonumber(item[4]) >= reserve
-- Sold to the high bidder, or unsold: no bids, or a reserve no maximum reached.
local sold = winner and winner ~= '' and reserve_met
redis.call('HSET', KEYS[1], 'closed', 1, 'closed_at', now_ms(),
  'outcome', sold and 'sold' or 'unsold')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
emit(KEYS[5], ARGV[2], 'ended', {
  type = 'ended',
  winner_name = sold and winner or cjson.null,
  price_cents = tonumber(item[4]),
  reserve_met = reserve_met,
})
return 1
