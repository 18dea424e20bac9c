-- Refresh an item's search document from its state (the index sync), once per batch rather
-- than on every bid or view: writing an indexed hash makes RediSearch index it again.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = fencing counter of the shard's lock `index-sync:{sNN}` (same slot)
-- ARGV[3] = the syncer's fencing number
-- A syncer whose lock expired (and was taken by another) is refused, so a stalled instance
-- cannot write older numbers over newer ones.
-- Returns 'written' when the document was written, 'unchanged' when nothing changed,
-- 'refused' when refused.
if tonumber(redis.call('GET', KEYS[9]) or '0') ~= tonumber(ARGV[3]) then
  return 'refused'
end
redis.call('SREM', KEYS[I_DIRTY], ARGV[A_ITEM])
local fields = { 'price', 'bids', 'views', 'likes', 'ends_at' }
local state = redis.call('HMGET', KEYS[I_STATE], unpack(fields))
local doc = redis.call('HMGET', KEYS[I_DOC], unpack(fields))
if not state[1] or redis.call('EXISTS', KEYS[I_DOC]) == 0 then
  return 'unchanged'
end
local changes = {}
for i, field in ipairs(fields) do
  if state[i] and state[i] ~= doc[i] then
    table.insert(changes, field)
    table.insert(changes, state[i])
  end
end
if #changes == 0 then
  return 'unchanged'
end
redis.call('HSET', KEYS[I_DOC], unpack(changes))
return 'written'
