-- Count a view once per visitor per item, with the "Most viewed" ranking and the live event
-- in the same step.
-- KEYS[1] = item state          KEYS[2] = item's HyperLogLog of visitors
-- KEYS[3] = item's new-visitor counts per network (hash: network tag -> count; each field
--           expires a day after that network's first new visitor)
-- KEYS[4] = item event stream   KEYS[5] = shard's views ranking
-- KEYS[6] = shard's index-dirty set
-- ARGV[1] = visitor key (`u:<user id>` signed in, `a:<visitor id>` otherwise)
-- ARGV[2] = signed-in user id, or '' for an anonymous visitor
-- ARGV[3] = network tag (a keyed hash of the client IP)
-- ARGV[4] = most new visitors counted per network per item per day
-- ARGV[5] = lifetime of a network's count, seconds
-- ARGV[6] = item id             ARGV[7] = the item's pub/sub channel
-- KEYS[7] = shard's stats log (`record_stats`, prelude.lua):
-- every view counts as a view (`v`), a counted new visitor also as a visitor (`q`).
-- Rules: the seller's own visits never count; a visitor counts once (HyperLogLog: 12 KB per
-- item whatever the number of visitors); one network (IP) adds at most ARGV[4] new anonymous
-- visitors a day, so rotating cookies or user agents cannot inflate the count (signed-in
-- users count once per account: accounts are rate limited at sign-up).
-- Returns { view count after this view, 1 if the view was counted else 0 },
-- or { -1, 0 } for an unknown item.
local item = redis.call('HMGET', KEYS[1], 'views', 'seller_id')
if not item[2] then
  return { -1, 0 }
end
local views = tonumber(item[1]) or 0
if ARGV[2] ~= '' and item[2] == ARGV[2] then
  return { views, 0 }
end
local function seen(new_visitor)
  record_stats(7, item[2], ARGV[6], { v = 1, q = new_visitor }, new_visitor, 0)
end
local anonymous = ARGV[2] == ''
if anonymous and tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0') >= tonumber(ARGV[4]) then
  seen(0)
  return { views, 0 }
end
if redis.call('PFADD', KEYS[2], ARGV[1]) == 0 then
  seen(0)
  return { views, 0 }
end
seen(1)
if anonymous then
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
  redis.call('HEXPIRE', KEYS[3], ARGV[5], 'NX', 'FIELDS', 1, ARGV[3])
end
views = redis.call('HINCRBY', KEYS[1], 'views', 1)
redis.call('ZADD', KEYS[5], 'XX', views, ARGV[6])
redis.call('SADD', KEYS[6], ARGV[6])
emit(KEYS[4], ARGV[7], 'views', { type = 'views', views = views })
return { views, 1 }
