-- Move delayed jobs whose time has come onto the queue stream (and out of the delayed set)
-- in one step, so a job is never in both or in neither.
-- KEYS[1] = queue stream   KEYS[2] = delayed set
-- ARGV[1] = at most this many
-- Returns how many were moved.
local due = redis.call('ZRANGE', KEYS[2], '-inf', now_ms(), 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  local id, kind, attempt, payload = string.match(member, '^(%d+)|([^|]*)|(%d+)|(.*)$')
  if id then
    redis.call('XADD', KEYS[1], '*', 'id', id, 'kind', kind, 'attempt', attempt, 'payload', payload)
  end
  redis.call('ZREM', KEYS[2], member)
end
return #due
