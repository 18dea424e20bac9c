-- The seller adds to the description of a running listing (after bids too: what was said
-- stays, dated additions follow it, as eBay allows). At most ARGV[5] additions.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- ARGV[3] = seller id   ARGV[4] = the addition (cleaned text)   ARGV[5] = most additions
-- The additions are a JSON array in the document's `additions`: [{ "at": ms, "text": … }].
-- Returns { 'added', time (ms) } | { 'not_found' } | { 'not_yours' } | { 'over' } | { 'full' }
--   | { 'removed' } (hidden by a moderator)
local now = now_ms()
local refused = own_running_listing(ARGV[3], now, {})
if refused then
  return { refused }
end
local d = redis.call('HMGET', KEYS[I_DOC], 'additions', 'hidden')
if d[2] then
  return { 'removed' }
end
local additions = {}
if d[1] then
  additions = cjson.decode(d[1])
end
if #additions >= tonumber(ARGV[5]) then
  return { 'full' }
end
additions[#additions + 1] = { at = now, text = ARGV[4] }
redis.call('HSET', KEYS[I_DOC], 'additions', cjson.encode(additions))
local rev = redis.call('HINCRBY', KEYS[I_DOC], 'rev', 1)
redis.call('HSET', KEYS[I_STATE], 'rev', rev)
touch_item()

return { 'added', now }
