-- An operator's decision on a dead job: retry it (back onto the queue as a first attempt) or
-- discard it. Either way it leaves the dead letters, in the same step.
-- KEYS[1] = queue stream   KEYS[2] = dead letters
-- ARGV[1] = dead-letter entry id   ARGV[2] = 'retry' | 'discard'
-- Returns 1, or 0 when there is no such dead job (already handled).
local found = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #found == 0 then
  return 0
end
if ARGV[2] == 'retry' then
  local f = {}
  local fields = found[1][2]
  for i = 1, #fields, 2 do
    f[fields[i]] = fields[i + 1]
  end
  redis.call('XADD', KEYS[1], '*', 'id', f.id or '0', 'kind', f.kind or '?', 'attempt', 1,
    'payload', f.payload or '')
end
redis.call('XDEL', KEYS[2], ARGV[1])
return 1
