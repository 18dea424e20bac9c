-- The seller ends a listing early, while nobody has bid: the auction closes now, unsold (as if
-- its time had run out without a bid), leaves the live rankings and tells its open pages.
-- With bids it runs to its end: the bidders were promised that.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9..] = the shard's ending ranking of each category
-- ARGV[3] = seller id   ARGV[4..] = the slugs of the categories of KEYS[9..], in order
-- Returns { 'ended', time (ms) } | { 'not_found' } | { 'not_yours' } | { 'over' } (ended or
-- closed already) | { 'has_bids' }
local now = now_ms()
local refused, s = own_running_listing(ARGV[3], now, { 'bids', 'price' })
if refused then
  return { refused }
end
if (tonumber(s[4]) or 0) > 0 then
  return { 'has_bids' }
end
redis.call('HSET', KEYS[I_STATE], 'ends_at', now, 'closed', 1, 'closed_at', now,
  'outcome', 'unsold', 'ended_early', 1)
redis.call('ZREM', KEYS[I_ENDING], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_PRICE], ARGV[A_ITEM])
redis.call('ZREM', KEYS[I_VIEWS], ARGV[A_ITEM])
redis.call('ZREM', category_ranking(redis.call('HGET', KEYS[I_DOC], 'category'), 9, 4), ARGV[A_ITEM])
-- The search document's end follows with the index sync.
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
emit_item('ended', {
  type = 'ended',
  winner_name = cjson.null,
  price_cents = tonumber(s[5]),
  reserve_met = true,
})
return { 'ended', now }
