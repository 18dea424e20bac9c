-- Add a comment to an item, count it and announce it, in one step.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = item's comments hash (id -> "author_id|ms|author_name|text")
-- KEYS[10] = item's comment order (sorted set, score: created ms)
-- ARGV[3] = comment id (from the global counter)   ARGV[4] = author id   ARGV[5] = author name
-- ARGV[6] = text (already cleaned)
-- Returns { 'added', created ms, comment count } or { 'not_found' } for an unknown item or one
-- a moderator hid.
if redis.call('EXISTS', KEYS[I_STATE]) == 0 or redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1 then
  return { 'not_found' }
end
local now = now_ms()
redis.call('HSET', KEYS[9], ARGV[3], ARGV[4] .. '|' .. now .. '|' .. ARGV[5] .. '|' .. ARGV[6])
redis.call('ZADD', KEYS[10], now, ARGV[3])
local count = redis.call('HINCRBY', KEYS[I_STATE], 'comments', 1)
record_stats(I_STATS, redis.call('HGET', KEYS[I_STATE], 'seller_id'), ARGV[A_ITEM], { c = 1 }, 2, 0)
emit_item('comment', {
  type = 'comment',
  comment = {
    id = tonumber(ARGV[3]),
    item_id = ARGV[A_ITEM],
    author_id = tonumber(ARGV[4]),
    author_name = ARGV[5],
    text = ARGV[6],
    created_ms = now,
  },
  count = count,
})
return { 'added', now, count }
