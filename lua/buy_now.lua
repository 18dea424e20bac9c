-- Buy It Now: buy at the fixed price while no bid has been placed (or while the reserve is not
-- met); the auction ends at once. Atomic with every bid, so a Buy It Now racing a bid has
-- exactly one outcome.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = bid history   KEYS[10] = the item's order (created here: the sale and its order
-- are one step)   KEYS[11] = the shard's blocked bidders (hash `<seller>:<bidder>`)
-- KEYS[12..] = the shard's ending ranking of each category
-- ARGV[3] = buyer id   ARGV[4] = buyer name
-- ARGV[5] = the price the buyer agreed to (cents, as their page showed it; '' = not given)
-- ARGV[6..] = the slugs of the categories of KEYS[12..], in the same order
-- Returns { 'bought', price, time (ms) } | { 'not_found' } | { 'ended' } | { 'own_item' }
--       | { 'unavailable' } (no Buy It Now price, or bidding has taken over)
--       | { 'price_changed', price } (the seller revised the price since the buyer's page)
--       | { 'removed' } (a moderator hid the listing) | { 'blocked' } (its seller blocked the buyer)
local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'ends_at', 'closed', 'buy_now', 'bids',
  'reserve', 'price')
if not s[1] then
  return { 'not_found' }
end
if redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1 then
  return { 'removed' }
end
local now = now_ms()
if now >= tonumber(s[2]) or s[3] == '1' then
  return { 'ended' }
end
if s[1] == ARGV[3] then
  return { 'own_item' }
end
if redis.call('HEXISTS', KEYS[11], s[1] .. ':' .. ARGV[3]) == 1 then
  return { 'blocked' }
end
local price = tonumber(s[4]) or 0
local bids = tonumber(s[5]) or 0
local reserve = tonumber(s[6]) or 0
local reserve_met = reserve == 0 or tonumber(s[7]) >= reserve
if price <= 0 or (bids > 0 and reserve_met) then
  return { 'unavailable' }
end
-- Never at another price than the one the buyer confirmed.
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= price then
  return { 'price_changed', price }
end
-- Analytics: a Buy It Now is a bid at that price (a new bidder when nobody had bid).
record_stats(I_STATS, s[1], ARGV[A_ITEM], { b = 1, u = bids == 0 and 1 or 0 }, 5,
  math.max(price - tonumber(s[7]), 0), 'u:' .. ARGV[3])
bids = bids + 1
redis.call('HSET', KEYS[I_STATE],
  'price', price, 'bids', bids, 'high_bidder_id', ARGV[3], 'high_bidder_name', ARGV[4],
  'high_max', price, 'last_bid_at', now, 'ends_at', now, 'closed', 1, 'closed_at', now,
  'outcome', 'bought')
redis.call('LPUSH', KEYS[9], ARGV[3] .. '|' .. price .. '|' .. now .. '|n|' .. ARGV[4])
redis.call('ZREM', KEYS[I_PRICE], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_VIEWS], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_ENDING], ARGV[A_ITEM])
redis.call('ZREM', category_ranking(redis.call('HGET', KEYS[I_DOC], 'category'), 12, 6), ARGV[A_ITEM])
create_order(KEYS[10], ARGV[3], ARGV[4], s[1], price)
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
emit_item('ended', {
  type = 'ended',
  winner_name = ARGV[4],
  price_cents = price,
  reserve_met = true,
  bought = true,
})
return { 'bought', price, now }
