-- Delete a comment, only for its author, and announce it.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = item's comments hash   KEYS[10] = item's comment order
-- ARGV[3] = comment id   ARGV[4] = id of the user asking
-- Returns { 'deleted', comment count }, { 'not_found' } when there is no such comment, or
-- { 'not_yours' } when the comment belongs to someone else (nothing changes).
local stored = redis.call('HGET', KEYS[9], ARGV[3])
if not stored then
  return { 'not_found' }
end
local author = string.match(stored, '^([^|]*)|')
if author ~= ARGV[4] then
  return { 'not_yours' }
end
redis.call('HDEL', KEYS[9], ARGV[3])
redis.call('ZREM', KEYS[10], ARGV[3])
local count = redis.call('HINCRBY', KEYS[I_STATE], 'comments', -1)
emit_item('comment_deleted', {
  type = 'comment_deleted',
  id = tonumber(ARGV[3]),
  count = count,
})
return { 'deleted', count }
