-- Delete a comment, only for its author, and announce it.
-- KEYS[1] = item state   KEYS[2] = item's comments hash   KEYS[3] = item's comment order
-- KEYS[4] = item event stream
-- ARGV[1] = comment id   ARGV[2] = id of the user asking   ARGV[3] = the item's channel
-- Returns { 1, comment count } when deleted, { 0 } when there is no such comment,
-- { -1 } when the comment belongs to someone else (nothing changes).
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if not stored then
  return { 0 }
end
local author = string.match(stored, '^([^|]*)|')
if author ~= ARGV[2] then
  return { -1 }
end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local count = redis.call('HINCRBY', KEYS[1], 'comments', -1)
emit(KEYS[4], ARGV[3], 'comment_deleted', {
  type = 'comment_deleted',
  id = tonumber(ARGV[1]),
  count = count,
})
return { 1, count }
