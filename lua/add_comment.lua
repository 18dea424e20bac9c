-- Add a comment to an item.
-- KEYS[1] = item hash
-- KEYS[2] = item's comments hash (comment id -> "author_id|created_ms|author_name|text")
-- KEYS[3] = item's comment order (sorted set, score: created ms)
-- KEYS[4] = comment id counter
-- ARGV[1] = author id   ARGV[2] = author name   ARGV[3] = text (already validated)
-- Returns { comment id, created ms, comment count } or { 0 } for an unknown item.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { 0 }
end
local id = redis.call('INCR', KEYS[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[2], id, ARGV[1] .. '|' .. now .. '|' .. ARGV[2] .. '|' .. ARGV[3])
redis.call('ZADD', KEYS[3], now, id)
local count = redis.call('HINCRBY', KEYS[1], 'comments', 1)
return { id, now, count }
