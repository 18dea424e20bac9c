-- The seller revises a running listing nobody has bid on yet: its text, category, terms,
-- starting price, reserve, Buy It Now price, soft close and (when new ones are sent) its
-- photos. The end time stays. Once somebody bids, the bidders bid on what they saw: the
-- listing can only be added to (add_to_description.lua).
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)   KEYS[9] = the item's photo hash
-- KEYS[10..] = the shard's ending ranking of each category (see category_ranking)
-- ARGV[3] = seller id   ARGV[4] = name   ARGV[5] = description
-- ARGV[6] = starting price (cents)   ARGV[7] = reserve (cents, 0 = none)
-- ARGV[8] = Buy It Now price (cents, 0 = none)   ARGV[9] = soft close (1|0)
-- ARGV[10] = category slug   ARGV[11] = condition slug   ARGV[12] = location (may be empty)
-- ARGV[13] = shipping (cents; 0 free, -1 pickup only)   ARGV[14] = returns (days)
-- ARGV[15] = n, how many new photos follow (0: keep the photos it has)
-- ARGV[16 .. 15+n] = the new photos' large JPEG bytes, the cover first
-- ARGV[16+n ..] = the slugs of the categories of KEYS[10..], in order
-- Returns { 'revised', revision } | { 'not_found' } | { 'not_yours' } | { 'over' }
--   | { 'has_bids' } | { 'removed' } (hidden by a moderator)
local refused, s = own_running_listing(ARGV[3], now_ms(), { 'bids' })
if refused then
  return { refused }
end
if (tonumber(s[4]) or 0) > 0 then
  return { 'has_bids' }
end
local old_category = redis.call('HGET', KEYS[I_DOC], 'category')
if redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1 then
  return { 'removed' }
end
local id = ARGV[A_ITEM]
local start = ARGV[6]
local n = tonumber(ARGV[15])
local first_slug = 16 + n
redis.call('HSET', KEYS[I_DOC],
  'name', ARGV[4],
  'description', ARGV[5],
  'start_price', start,
  'price', start,
  'category', ARGV[10],
  'condition', ARGV[11],
  'location', ARGV[12],
  'shipping', ARGV[13],
  'returns', ARGV[14],
  'buy_now', ARGV[8])
redis.call('HSET', KEYS[I_STATE],
  'start_price', start,
  'price', start,
  'min_bid', start,
  'reserve', ARGV[7],
  'buy_now', ARGV[8],
  'soft_close', ARGV[9])
if n > 0 then
  -- The new photos replace the old ones; their thumbnails come from the job again, and the
  -- revision number in the photos' addresses makes browsers fetch them anew.
  redis.call('DEL', KEYS[9])
  redis.call('HSET', KEYS[9], 'type', 'image/jpeg', 'large', ARGV[16])
  for i = 2, n do
    redis.call('HSET', KEYS[9], 'large:' .. i, ARGV[15 + i])
  end
  redis.call('HSET', KEYS[I_DOC], 'photo', '1', 'photos', n)
end
redis.call('ZADD', KEYS[I_PRICE], tonumber(start), id)
if old_category ~= ARGV[10] then
  local ends = tonumber(s[2])
  redis.call('ZREM', category_ranking(old_category, 10, first_slug), id)
  redis.call('ZADD', category_ranking(ARGV[10], 10, first_slug), ends, id)
end
-- Pages rendered before it (and the photos' addresses) know they are out of date (the
-- personal page tier compares `rev`; photo addresses carry it).
local rev = redis.call('HINCRBY', KEYS[I_DOC], 'rev', 1)
redis.call('HSET', KEYS[I_STATE], 'rev', rev)
touch_item()
redis.call('SADD', KEYS[I_DIRTY], id)

return { 'revised', rev }
