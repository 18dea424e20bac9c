-- List a new item.
-- KEYS[1] = item id counter
-- KEYS[2] = the seller's items sorted set (score: created time)
-- ARGV[1] = key prefix of item hashes (the new id is appended)
-- ARGV[2] = seller id       ARGV[3] = seller name
-- ARGV[4] = name            ARGV[5] = description
-- ARGV[6] = starting price (cents)
-- ARGV[7] = duration (ms)
-- ARGV[8] = has photo (1|0)
-- Times come from the Redis clock, like every auction rule.
-- Returns the new item id.
local id = redis.call('INCR', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ends = now + tonumber(ARGV[7])
redis.call('HSET', ARGV[1] .. id,
  'id', id,
  'seller_id', ARGV[2],
  'seller_name', ARGV[3],
  'name', ARGV[4],
  'description', ARGV[5],
  'start_price', ARGV[6],
  'price', ARGV[6],
  'min_bid', ARGV[6],
  'bids', 0,
  'views', 0,
  'likes', 0,
  'created_at', now,
  'ends_at', ends,
  'photo', ARGV[8],
  'high_bidder_id', '',
  'high_bidder_name', '')
redis.call('ZADD', KEYS[2], now, id)
return id
