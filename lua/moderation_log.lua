-- Records a moderator's action (src/moderation) and settles the target's reports, in one step:
-- the audit log gets who, what, which and why; the target leaves the queue (a later report by
-- someone new puts it back). All keys in the `{mod}` slot.
-- KEYS[1] = the target's reports (hash)   KEYS[2] = queue by newest   KEYS[3] = queue by most
-- KEYS[4] = the audit log (stream)
-- ARGV[1] = target   ARGV[2] = moderator's name   ARGV[3] = action   ARGV[4] = why
-- ARGV[5] = audit entries kept   ARGV[6] = when the moderator acted (ms): a report that arrived
-- after it keeps the target in the queue (the moderator has not seen it)
-- Returns { 'logged', audit entry id }
local newest = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not newest or tonumber(newest) <= tonumber(ARGV[6]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('HSET', KEYS[1], 'open', '0')
  end
end
local id = redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*',
  'by', ARGV[2], 'action', ARGV[3], 'target', ARGV[1], 'why', ARGV[4])
return { 'logged', id }
