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
-- KEYS[7] = shard's stats log (`record_stats`, prelude.lua): a counted new visitor is logged
-- as a view (`v`) and a visitor (`q`) in this step. A repeat view writes nothing here, so it
-- has no write to ride on: the caller counts those in memory and logs them in batches.
-- Rules: the seller's own visits never count; a visitor counts once (HyperLogLog: 12 KB per
-- item whatever the number of visitors); one network (IP) adds at most ARGV[4] new anonymous
-- visitors a day, so rotating cookies or user agents cannot inflate the count (signed-in
-- users count once per account: accounts are rate limited at sign-up).
-- Returns { view count after this view, 1 if the view was counted else 0, the seller's id,
-- or 0 for the seller's own view }, or { -1, 0, 0 } for an unknown item.
local item = redis.call('HMGET', KEYS[1], 'views', 'seller_id')
if not item[2] then
  return { -1, 0, 0 }
end
local views = tonumber(item[1]) or 0
if ARGV[2] ~= '' and item[2] == ARGV[2] then
  return { views, 0, 0 }
end
local seller = tonumber(item[2])
local anonymous = ARGV[2] == ''
if anonymous and tonumber(redis.call('HGET', KEYS[3], ARGV[3]) or '0') >= tonumber(ARGV[4]) then
  return { views, 0, seller }
end
if redis.call('PFADD', KEYS[2], ARGV[1]) == 0 then
  return { views, 0, seller }
end
record_stats(7, item[2], ARGV[6], { v = 1, q = 1 }, 1, 0)
if anonymous then
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
  redis.call('HEXPIRE', KEYS[3], ARGV[5], 'NX', 'FIELDS', 1, ARGV[3])
end
views = redis.call('HINCRBY', KEYS[1], 'views', 1)
redis.call('ZADD', KEYS[5], 'XX', views, ARGV[6])
redis.call('SADD', KEYS[6], ARGV[6])
emit(KEYS[4], ARGV[7], 'views', { type = 'views', views = views })
return { views, 1, seller }
