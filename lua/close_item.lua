-- Close an auction whose time is up, exactly once: record the outcome (sold to the high
-- bidder at the price, or unsold), take it out of the live rankings, announce the result.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = the item's order (created here when it sold: the sale and its order are one step)
-- KEYS[10..] = the shard's ending ranking of each category   ARGV[3..] = their slugs
-- A listing a moderator hid (`hidden` on its document) closes as `removed`: nobody wins it, no
-- order is made.
-- Returns { 'closed' } when it closed the auction now, { 'was_closed' } when it was closed
-- already, { 'missing' } when there is no such item, { 'not_yet' } when its end has not come
-- yet (the end can move later, never earlier).
local item = redis.call('HMGET', KEYS[I_STATE], 'ends_at', 'closed', 'high_bidder_name', 'price',
  'reserve', 'high_bidder_id', 'seller_id')
if not item[1] then
  return { 'missing' }
end
if item[2] == '1' then
  return { 'was_closed' }
end
if now_ms() < tonumber(item[1]) then
  return { 'not_yet' }
end
local winner = item[3]
local reserve = tonumber(item[5]) or 0
local reserve_met = reserve == 0 or tonumber(item[4]) >= reserve
-- Sold to the high bidder, or unsold: no bids, or a reserve no maximum reached; or removed.
local removed = redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1
local sold = not removed and winner and winner ~= '' and reserve_met
local outcome = 'unsold'
if removed then
  outcome = 'removed'
elseif sold then
  outcome = 'sold'
end
redis.call('HSET', KEYS[I_STATE], 'closed', 1, 'closed_at', now_ms(), 'outcome', outcome)
redis.call('ZREM', KEYS[I_ENDING], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_PRICE], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_VIEWS], ARGV[A_ITEM])
redis.call('ZREM', category_ranking(redis.call('HGET', KEYS[I_DOC], 'category'), 10, 3), ARGV[A_ITEM])
-- Its search document follows with the index sync (Buy It Now is over, for one).
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
if sold then
  create_order(KEYS[9], item[6], winner, item[7], item[4])
end
emit_item('ended', {
  type = 'ended',
  winner_name = sold and winner or cjson.null,
  price_cents = tonumber(item[4]),
  reserve_met = reserve_met,
})
return { 'closed' }
