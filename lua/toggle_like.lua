-- Like or unlike an item; idempotent (liking twice counts once).
-- KEYS[1] = item state   KEYS[2] = item's likers (set of user ids)
-- KEYS[3] = shard's index-dirty set
-- ARGV[1] = user id   ARGV[2] = item id   ARGV[3] = 1 to like, 0 to unlike
-- KEYS[4] = who was ever counted for this item (`l<user id>`): a like counts in the charts and
--           the trending score once per person, however often they toggle it
-- KEYS[5] = shard's stats log (`record_stats`, prelude.lua)
-- The user's own list of liked items (another slot) is updated by the caller afterwards.
-- Returns { liked (1|0), like count, 1 if this call changed it else 0 }, or { -1 } when the
-- item does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { -1 }
end
local changed = 0
if ARGV[3] == '1' then
  changed = redis.call('SADD', KEYS[2], ARGV[1])
else
  changed = redis.call('SREM', KEYS[2], ARGV[1])
end
local count
if changed == 1 then
  count = redis.call('HINCRBY', KEYS[1], 'likes', ARGV[3] == '1' and 1 or -1)
  redis.call('SADD', KEYS[3], ARGV[2])
  if ARGV[3] == '1' and redis.call('SADD', KEYS[4], 'l' .. ARGV[1]) == 1 then
    record_stats(5, redis.call('HGET', KEYS[1], 'seller_id'), ARGV[2], { l = 1 }, 2, 0)
  end
else
  count = tonumber(redis.call('HGET', KEYS[1], 'likes'))
end
return { tonumber(ARGV[3]), count, changed }
