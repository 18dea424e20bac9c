-- Like or unlike an item.
-- KEYS[1] = item hash
-- KEYS[2] = item's likers (set of user ids)
-- KEYS[3] = user's liked items (sorted set, score: time liked)
-- ARGV[1] = user id   ARGV[2] = item id   ARGV[3] = 1 to like, 0 to unlike
-- Idempotent: liking twice counts once. Returns { liked (1|0), like count } or { -1 } when the
-- item does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { -1 }
end
local count
if ARGV[3] == '1' then
  if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
    local t = redis.call('TIME')
    redis.call('ZADD', KEYS[3], tonumber(t[1]), ARGV[2])
    count = redis.call('HINCRBY', KEYS[1], 'likes', 1)
  end
else
  if redis.call('SREM', KEYS[2], ARGV[1]) == 1 then
    redis.call('ZREM', KEYS[3], ARGV[2])
    count = redis.call('HINCRBY', KEYS[1], 'likes', -1)
  end
end
if not count then
  count = tonumber(redis.call('HGET', KEYS[1], 'likes'))
end
return { tonumber(ARGV[3]), count }
