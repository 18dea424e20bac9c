-- Refresh an item's search document from its state (the index sync), once per batch rather
-- than on every bid or view: writing an indexed hash makes RediSearch index it again.
-- KEYS[1] = item document   KEYS[2] = item state   KEYS[3] = shard's index-dirty set
-- KEYS[4] = fencing counter of the shard's lock `index-sync:{sNN}` (same slot)
-- ARGV[1] = item id   ARGV[2] = the syncer's fencing number
-- A syncer whose lock expired (and was taken by another) is refused, so a stalled instance
-- cannot write older numbers over newer ones.
-- Returns 1 when the document was written, 0 when nothing changed, -1 when refused.
if tonumber(redis.call('GET', KEYS[4]) or '0') ~= tonumber(ARGV[2]) then
  return -1
end
redis.call('SREM', KEYS[3], ARGV[1])
local fields = { 'price', 'bids', 'views', 'likes', 'ends_at' }
local state = redis.call('HMGET', KEYS[2], unpack(fields))
local doc = redis.call('HMGET', KEYS[1], unpack(fields))
if not state[1] or redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local changes = {}
for i, field in ipairs(fields) do
  if state[i] and state[i] ~= doc[i] then
    table.insert(changes, field)
    table.insert(changes, state[i])
  end
end
if #changes == 0 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(changes))
return 1
