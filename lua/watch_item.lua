-- Watch or stop watching an item: the watcher set and the watcher count in the state, in one
-- step (the user's own list of watched items is a second step in the user's slot).
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = the item's watchers (set of user ids)
-- KEYS[10] = who was ever counted for this item (`w<user id>`): a watch counts in the charts and
--           the trending score once per person, however often they toggle it
-- ARGV[3] = user id   ARGV[4] = 1 (watch) | 0 (stop)
-- Returns { 'done', watching (1|0), watchers, ends at (ms) }, { 'not_found' } for an unknown
-- item, or { 'ended' } when asked to watch an auction that has ended (stopping is always
-- allowed).
local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'ends_at', 'closed')
if not s[1] then
  return { 'not_found' }
end
if ARGV[4] == '1' and (s[3] == '1' or tonumber(s[2] or '0') <= now_ms()) then
  return { 'ended' }
end
if ARGV[4] == '1' then
  if redis.call('SADD', KEYS[9], ARGV[3]) == 1
    and redis.call('SADD', KEYS[10], 'w' .. ARGV[3]) == 1 then
    record_stats(I_STATS, s[1], ARGV[A_ITEM], { w = 1 }, 3, 0)
  end
else
  redis.call('SREM', KEYS[9], ARGV[3])
end
local count = redis.call('SCARD', KEYS[9])
redis.call('HSET', KEYS[I_STATE], 'watchers', count)
touch_item()
return { 'done', tonumber(ARGV[4]), count, tonumber(s[2]) }
