-- A user's saved searches (src/saved_searches), each change in one step: saving (at most
-- ARGV[3] of them; the id from the user's own counter), replacing one that exists (rename,
-- pause), deleting one (with its counts).
-- KEYS[1] = the user's saved searches (hash: `<id>` → JSON, `seq`, `count`, `n:<id>`, `last:<id>`)
-- ARGV[1] = 'save' | 'update' | 'delete'   ARGV[2] = the search as JSON ('save') or its id
-- ARGV[3] = at most this many ('save'), or the new JSON ('update')
-- Returns { 'saved', id } | { 'full' } | { 'done' } | { 'gone' }
local op = ARGV[1]
if op == 'save' then
  if tonumber(redis.call('HGET', KEYS[1], 'count') or '0') >= tonumber(ARGV[3]) then
    return { 'full' }
  end
  local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  redis.call('HSET', KEYS[1], id, ARGV[2])
  redis.call('HINCRBY', KEYS[1], 'count', 1)
  return { 'saved', id }
elseif op == 'update' then
  if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
    return { 'gone' }
  end
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  return { 'done' }
elseif op == 'delete' then
  if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then
    return { 'gone' }
  end
  redis.call('HINCRBY', KEYS[1], 'count', -1)
  redis.call('HDEL', KEYS[1], 'n:' .. ARGV[2], 'last:' .. ARGV[2])
  return { 'done' }
end
return redis.error_reply('saved_search: unknown operation ' .. tostring(op))
