-- List a new item: its document, its auction state, its place in the shard's rankings and
-- its photo, in one step. Times come from the Redis clock, like every auction rule.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = item photo hash   KEYS[10] = shard's ending ranking of the category
-- ARGV[3] = seller id          ARGV[4] = seller name
-- ARGV[5] = name               ARGV[6] = description
-- ARGV[7] = starting price (cents)                    ARGV[8] = duration (ms)
-- ARGV[9] = photo: '1' (bytes below), 'demo:N' (a shared demo photo) or '0' (placeholder)
-- ARGV[10] = large JPEG bytes  ARGV[11] = thumbnail JPEG bytes (both empty unless ARGV[9] is '1')
-- ARGV[12] = reserve (cents, 0 = none; never shown)   ARGV[13] = Buy It Now price (0 = none)
-- ARGV[14] = soft close (1|0)
-- ARGV[15] = category slug
-- ARGV[16] = condition slug    ARGV[17] = location (may be empty)
-- ARGV[18] = shipping (cents; 0 free, -1 pickup only)   ARGV[19] = returns (days, 0 = none)
-- ARGV[20..] = the other photos' large JPEG bytes (2nd to 8th)
-- Returns { 'created', created at (ms), ends at (ms) }.
local id = ARGV[A_ITEM]
local now = now_ms()
local ends = now + tonumber(ARGV[8])
redis.call('HSET', KEYS[I_DOC],
  'id', id,
  'seller_id', ARGV[3],
  'seller_name', ARGV[4],
  'name', ARGV[5],
  'description', ARGV[6],
  'start_price', ARGV[7],
  'created_at', now,
  'photo', ARGV[9],
  'category', ARGV[15],
  'photos', ARGV[9] == '1' and (#ARGV - 18) or 0,
  'condition', ARGV[16],
  'location', ARGV[17],
  'shipping', ARGV[18],
  'returns', ARGV[19],
  -- Copies for search sorting and filters, refreshed in batches by the index sync.
  'price', ARGV[7],
  'ends_at', ends,
  'bids', 0,
  'views', 0,
  'likes', 0,
  -- The Buy It Now price while it can be used (0 once bidding took over), for the filter.
  'buy_now', ARGV[13])
redis.call('HSET', KEYS[I_STATE],
  'seller_id', ARGV[3],
  'start_price', ARGV[7],
  'price', ARGV[7],
  'min_bid', ARGV[7],
  'bids', 0,
  'views', 0,
  'likes', 0,
  'comments', 0,
  'ends_at', ends,
  'high_bidder_id', '',
  'high_bidder_name', '',
  'high_max', '',
  'reserve', ARGV[12],
  'buy_now', ARGV[13],
  'soft_close', ARGV[14],
  'orig_ends', ends,
  'closed', 0)
redis.call('ZADD', KEYS[I_ENDING], ends, id)
redis.call('ZADD', KEYS[I_PRICE], tonumber(ARGV[7]), id)
redis.call('ZADD', KEYS[I_VIEWS], 0, id)
-- The category's ranking keeps no ended auctions for long: each listing drops them.
redis.call('ZREMRANGEBYSCORE', KEYS[10], '-inf', now)
redis.call('ZADD', KEYS[10], ends, id)
record_stats(I_STATS, ARGV[3], id, { n = 1 }, 0, 0)
if ARGV[9] == '1' then
  redis.call('HSET', KEYS[9], 'type', 'image/jpeg', 'large', ARGV[10])
  -- Without a thumbnail, a job makes one; cards show the large photo until then.
  if ARGV[11] ~= '' then
    redis.call('HSET', KEYS[9], 'thumb', ARGV[11])
  end
  -- The other photos: `large:2` … `large:8` (their thumbnails too come from the job).
  for i = 20, #ARGV do
    redis.call('HSET', KEYS[9], 'large:' .. (i - 18), ARGV[i])
  end
end
return { 'created', now, ends }
