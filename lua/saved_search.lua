-- A user's saved searches (src/saved_searches), each change in one step: saving (at most
-- ARGV[3] of them; the id from the user's own counter), renaming and pausing one that exists
-- (read and written here, so a rename and a pause at once both land), deleting one (with its
-- counts).
-- KEYS[1] = the user's saved searches (hash: `<id>` → JSON, `seq`, `count`, `n:<id>`, `last:<id>`)
-- ARGV[1] = 'save' | 'update' | 'delete'   ARGV[2] = the search as JSON ('save') or its id
-- ARGV[3] = at most this many ('save'), or the new name ('update'; '' keeps it)
-- ARGV[4] = 'true' | 'false' | '' ('update': paused, or unchanged)
-- Returns { 'saved', id } | { 'full' } | { 'updated', paused (1|0) } | { 'done' } | { 'gone' }
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
  local raw = redis.call('HGET', KEYS[1], ARGV[2])
  if not raw then
    return { 'gone' }
  end
  -- (cjson writes numbers with 14 significant digits: a time in ms has 13.)
  local search = cjson.decode(raw)
  if ARGV[3] ~= '' then
    search.name = ARGV[3]
  end
  if ARGV[4] ~= '' then
    search.paused = ARGV[4] == 'true'
  end
  redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(search))
  return { 'updated', search.paused and 1 or 0 }
elseif op == 'delete' then
  if redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then
    return { 'gone' }
  end
  redis.call('HINCRBY', KEYS[1], 'count', -1)
  redis.call('HDEL', KEYS[1], 'n:' .. ARGV[2], 'last:' .. ARGV[2])
  return { 'done' }
end
return redis.error_reply('saved_search: unknown operation ' .. tostring(op))
