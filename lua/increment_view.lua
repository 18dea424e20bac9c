-- Count a view once per visitor per item, with the "Most viewed" ranking and the live event
-- in the same step.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = item's HyperLogLog of visitors
-- KEYS[10] = item's new-visitor counts per network (hash: network tag -> count; each field
--           expires a day after that network's first new visitor)
-- ARGV[3] = visitor key (`u:<user id>` signed in, `a:<visitor id>` otherwise)
-- ARGV[4] = signed-in user id, or '' for an anonymous visitor
-- ARGV[5] = network tag (a keyed hash of the client IP)
-- ARGV[6] = most new visitors counted per network per item per day
-- ARGV[7] = lifetime of a network's count, seconds
-- A counted new visitor is logged in the stats log (`record_stats`) as a view (`v`) and a
-- visitor (`q`) in this step. A repeat view writes nothing here, so it has no write to ride
-- on: the caller counts those in memory and logs them in batches.
-- Rules: the seller's own visits never count; a visitor counts once (HyperLogLog: 12 KB per
-- item whatever the number of visitors); one network (IP) adds at most ARGV[6] new anonymous
-- visitors a day, so rotating cookies or user agents cannot inflate the count (signed-in
-- users count once per account: accounts are rate limited at sign-up).
-- Returns { 'counted', view count, seller id } when this view counted, { 'seen', view count,
-- seller id } when it did not (a repeat visitor, or a network over its allowance),
-- { 'own', view count } for the seller's own view, or { 'not_found' } for an unknown item.
local item = redis.call('HMGET', KEYS[I_STATE], 'views', 'seller_id')
if not item[2] then
  return { 'not_found' }
end
local views = tonumber(item[1]) or 0
if ARGV[4] ~= '' and item[2] == ARGV[4] then
  return { 'own', views }
end
local seller = tonumber(item[2])
local anonymous = ARGV[4] == ''
if anonymous and tonumber(redis.call('HGET', KEYS[10], ARGV[5]) or '0') >= tonumber(ARGV[6]) then
  return { 'seen', views, seller }
end
if redis.call('PFADD', KEYS[9], ARGV[3]) == 0 then
  return { 'seen', views, seller }
end
record_stats(I_STATS, item[2], ARGV[A_ITEM], { v = 1, q = 1 }, 1, 0, ARGV[3])
if anonymous then
  redis.call('HINCRBY', KEYS[10], ARGV[5], 1)
  redis.call('HEXPIRE', KEYS[10], ARGV[7], 'NX', 'FIELDS', 1, ARGV[5])
end
views = redis.call('HINCRBY', KEYS[I_STATE], 'views', 1)
redis.call('ZADD', KEYS[I_VIEWS], 'XX', views, ARGV[A_ITEM])
redis.call('SADD', KEYS[I_DIRTY], ARGV[A_ITEM])
emit_item('views', { type = 'views', views = views })
return { 'counted', views, seller }
