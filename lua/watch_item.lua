-- Watch or stop watching an item: the watcher set and the watcher count in the state, in one
-- step (the user's own list of watched items is a second step in the user's slot).
-- KEYS[1] = item state   KEYS[2] = the item's watchers (set of user ids)
-- ARGV[1] = user id   ARGV[2] = 1 (watch) | 0 (stop)   ARGV[3] = item id
-- KEYS[3] = who was ever counted for this item (`w<user id>`): a watch counts in the charts and
--           the trending score once per person, however often they toggle it
-- KEYS[4] = shard's stats log (`record_stats`, prelude.lua)
-- Returns { watching (1|0), watchers, ends at (ms) }, { -1 } for an unknown item, or { -2 }
-- when asked to watch an auction that has ended (stopping is always allowed).
local s = redis.call('HMGET', KEYS[1], 'seller_id', 'ends_at', 'closed')
if not s[1] then
  return { -1 }
end
if ARGV[2] == '1' and (s[3] == '1' or tonumber(s[2] or '0') <= now_ms()) then
  return { -2 }
end
if ARGV[2] == '1' then
  if redis.call('SADD', KEYS[2], ARGV[1]) == 1
    and redis.call('SADD', KEYS[3], 'w' .. ARGV[1]) == 1 then
    record_stats(4, s[1], ARGV[3], { w = 1 }, 3, 0)
  end
else
  redis.call('SREM', KEYS[2], ARGV[1])
end
local count = redis.call('SCARD', KEYS[2])
redis.call('HSET', KEYS[1], 'watchers', count)
return { tonumber(ARGV[2]), count, tonumber(s[2]) }
