-- Add a comment to an item, count it and announce it, in one step.
-- KEYS[1] = item state   KEYS[2] = item's comments hash (id -> "author_id|ms|author_name|text")
-- KEYS[3] = item's comment order (sorted set, score: created ms)   KEYS[4] = item event stream
-- ARGV[1] = comment id (from the global counter)   ARGV[2] = author id   ARGV[3] = author name
-- ARGV[4] = text (already cleaned)   ARGV[5] = item id   ARGV[6] = the item's pub/sub channel
-- KEYS[5] = shard's stats log (`record_stats`, prelude.lua)
-- Returns { created ms, comment count } or { 0 } for an unknown item.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 0 }
end
local now = now_ms()
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '|' .. now .. '|' .. ARGV[3] .. '|' .. ARGV[4])
redis.call('ZADD', KEYS[3], now, ARGV[1])
local count = redis.call('HINCRBY', KEYS[1], 'comments', 1)
record_stats(5, redis.call('HGET', KEYS[1], 'seller_id'), ARGV[5], { c = 1 }, 2, 0)
emit(KEYS[4], ARGV[6], 'comment', {
  type = 'comment',
  comment = {
    id = tonumber(ARGV[1]),
    item_id = ARGV[5],
    author_id = tonumber(ARGV[2]),
    author_name = ARGV[3],
    text = ARGV[4],
    created_ms = now,
  },
  count = count,
})
return { now, count }
