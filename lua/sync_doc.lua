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
-- Buy It Now, while it can be used: offered, not closed, and bidding has not taken over
-- (a bid at or above the reserve). The item page reads the same rule from the state.
table.insert(fields, 'buy_now')
local offer = redis.call('HMGET', KEYS[I_STATE], 'buy_now', 'reserve', 'closed')
local buy_now = tonumber(offer[1] or '0') or 0
local price, bids = tonumber(state[1]) or 0, tonumber(state[2]) or 0
if offer[3] == '1' or (bids > 0 and price >= (tonumber(offer[2] or '0') or 0)) then
  buy_now = 0
end
table.insert(state, tostring(buy_now))
table.insert(doc, redis.call('HGET', KEYS[I_DOC], 'buy_now') or '0')
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
