-- Like or unlike an item; idempotent (liking twice counts once).
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = item's likers (set of user ids)
-- KEYS[10] = who was ever counted for this item (`l<user id>`): a like counts in the charts and
--           the trending score once per person, however often they toggle it
-- ARGV[3] = user id   ARGV[4] = 1 to like, 0 to unlike
-- The user's own list of liked items (another slot) is updated by the caller afterwards.
-- Returns { 'done', liked (1|0), like count, 1 if this call changed it else 0 }, or
-- { 'not_found' } when the item does not exist.
if redis.call('EXISTS', KEYS[I_STATE]) == 0 then
  return { 'not_found' }
end
local changed = 0
if ARGV[4] == '1' then
  changed = redis.call('SADD', KEYS[9], ARGV[3])
else
  changed = redis.call('SREM', KEYS[9], ARGV[3])
end
local count
if changed == 1 then
  count = redis.call('HINCRBY', KEYS[I_STATE], 'likes', ARGV[4] == '1' and 1 or -1)
  redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
  if ARGV[4] == '1' and redis.call('SADD', KEYS[10], 'l' .. ARGV[3]) == 1 then
    record_stats(I_STATS, redis.call('HGET', KEYS[I_STATE], 'seller_id'), ARGV[A_ITEM], { l = 1 }, 2, 0)
  end
else
  count = tonumber(redis.call('HGET', KEYS[I_STATE], 'likes'))
end
-- Told even when nothing changed: the caller waits to hear it (`frame::heard_after`).
touch_item()
return { 'done', tonumber(ARGV[4]), count, changed }
