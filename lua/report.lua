-- A report of a listing, a comment or a user (src/moderation), in one step: one per reporter
-- per target (a second is refused and changes nothing), counted, and the target put at the top
-- of the moderators' queue (newest first, and most reported first). All keys in the `{mod}` slot.
-- KEYS[1] = the target's reports (hash)   KEYS[2] = queue by newest report (sorted set)
-- KEYS[3] = queue by number of reports (sorted set)
-- KEYS[4] = the target's newest reports (list, the 10 newest kept) for the moderators
-- ARGV[1] = target (`item:17`, `comment:17:5`, `user:3`)   ARGV[2] = reporter id
-- ARGV[3] = the report as JSON (reporter, reason, note, time)   ARGV[4] = queue length kept
-- Returns { 'reported', reports of the target } | { 'already' }
local field = 'r:' .. ARGV[2]
local now = now_ms()
if redis.call('HSETNX', KEYS[1], field, now) == 0 then
  return { 'already' }
end
redis.call('LPUSH', KEYS[4], ARGV[3])
redis.call('LTRIM', KEYS[4], 0, 9)
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSETNX', KEYS[1], 'first_at', now)
redis.call('HSET', KEYS[1], 'last_at', now, 'open', '1')
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZADD', KEYS[3], count, ARGV[1])
-- Bounded: the oldest (and least reported) open targets fall off a full queue.
local keep = tonumber(ARGV[4])
if redis.call('ZCARD', KEYS[2]) > keep then
  for _, gone in ipairs(redis.call('ZRANGE', KEYS[2], 0, -keep - 1)) do
    redis.call('ZREM', KEYS[3], gone)
  end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -keep - 1)
end
return { 'reported', count }
