-- List a new item: its document, its auction state, its place in the shard's rankings and
-- its photo, in one step. Times come from the Redis clock, like every auction rule.
-- KEYS[1] = item document (indexed)   KEYS[2] = item state
-- KEYS[3] = shard's ending ranking    KEYS[4] = shard's price ranking
-- KEYS[5] = shard's views ranking     KEYS[6] = item photo hash
-- ARGV[1] = item id          ARGV[2] = seller id      ARGV[3] = seller name
-- ARGV[4] = name             ARGV[5] = description
-- ARGV[6] = starting price (cents)                    ARGV[7] = duration (ms)
-- ARGV[8] = photo: '1' (bytes below), 'demo:N' (a shared demo photo) or '0' (placeholder)
-- ARGV[9] = large JPEG bytes  ARGV[10] = thumbnail JPEG bytes (both empty unless ARGV[8] is '1')
-- ARGV[11] = reserve (cents, 0 = none; never shown)   ARGV[12] = Buy It Now price (0 = none)
-- ARGV[13] = soft close (1|0)
-- ARGV[14] = category slug    ARGV[15..] = the other photos' large JPEG bytes (2nd to 8th)
-- KEYS[7] = shard's stats log (`record_stats`, prelude.lua)
-- KEYS[8] = shard's ending ranking of the category
-- Returns { created at (ms), ends at (ms) }.
local id = ARGV[1]
local now = now_ms()
local ends = now + tonumber(ARGV[7])
redis.call('HSET', KEYS[1],
  'id', id,
  'seller_id', ARGV[2],
  'seller_name', ARGV[3],
  'name', ARGV[4],
  'description', ARGV[5],
  'start_price', ARGV[6],
  'created_at', now,
  'photo', ARGV[8],
  'category', ARGV[14],
  'photos', ARGV[8] == '1' and (#ARGV - 13) or 0,
  -- Copies for search sorting and filters, refreshed in batches by the index sync.
  'price', ARGV[6],
  'ends_at', ends,
  'bids', 0,
  'views', 0,
  'likes', 0)
redis.call('HSET', KEYS[2],
  'seller_id', ARGV[2],
  'start_price', ARGV[6],
  'price', ARGV[6],
  'min_bid', ARGV[6],
  'bids', 0,
  'views', 0,
  'likes', 0,
  'comments', 0,
  'ends_at', ends,
  'high_bidder_id', '',
  'high_bidder_name', '',
  'high_max', '',
  'reserve', ARGV[11],
  'buy_now', ARGV[12],
  'soft_close', ARGV[13],
  'orig_ends', ends,
  'closed', 0)
redis.call('ZADD', KEYS[3], ends, id)
redis.call('ZADD', KEYS[4], tonumber(ARGV[6]), id)
redis.call('ZADD', KEYS[5], 0, id)
-- The category's ranking keeps no ended auctions for long: each listing drops them.
redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now)
redis.call('ZADD', KEYS[8], ends, id)
record_stats(7, ARGV[2], id, { n = 1 }, 0, 0)
if ARGV[8] == '1' then
  redis.call('HSET', KEYS[6], 'type', 'image/jpeg', 'large', ARGV[9])
  -- Without a thumbnail, a job makes one; cards show the large photo until then.
  if ARGV[10] ~= '' then
    redis.call('HSET', KEYS[6], 'thumb', ARGV[10])
  end
  -- The other photos: `large:2` … `large:8` (their thumbnails too come from the job).
  for i = 15, #ARGV do
    redis.call('HSET', KEYS[6], 'large:' .. (i - 13), ARGV[i])
  end
end
return { now, ends }
