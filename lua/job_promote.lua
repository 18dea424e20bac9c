-- Move delayed jobs whose time has come onto the queue stream (and out of the delayed set)
-- in one step, so a job is never in both or in neither. A member that cannot be read goes to
-- the dead letters, never silently away.
-- KEYS[1] = queue stream   KEYS[2] = delayed set   KEYS[3] = dead letters
-- ARGV[1] = at most this many   ARGV[2] = dead letters kept
-- Returns how many were moved.
local due = redis.call('ZRANGE', KEYS[2], '-inf', now_ms(), 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local id, kind, attempt, payload = string.match(member, '^(%d+)|([^|]+)|(%d+)|(.*)$')
  if id then
    redis.call('XADD', KEYS[1], '*', 'id', id, 'kind', kind, 'attempt', attempt, 'payload', payload)
  else
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', tonumber(ARGV[2]), '*',
      'id', '0', 'kind', '?', 'attempt', '0', 'payload', member,
      'error', 'unreadable delayed job', 'failed_at', now_ms())
  end
  redis.call('ZREM', KEYS[2], member)
end
return #due
