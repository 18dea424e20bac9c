-- Delete a comment, only for its author.
-- KEYS[1] = item hash   KEYS[2] = item's comments hash   KEYS[3] = item's comment order
-- ARGV[1] = comment id  ARGV[2] = id of the user asking
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
return { 1, count }
