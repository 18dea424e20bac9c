-- A message from one party of an order to the other, kept with the order (same slot).
-- KEYS[1] = the order hash   KEYS[2] = its messages (list, oldest first)
-- ARGV[1] = sender id   ARGV[2] = sender name (no '|')   ARGV[3] = text (cleaned)
-- ARGV[4] = most messages an order keeps
-- Returns { 'sent', at (ms), messages now } | { 'not_found' } (no order) | { 'not_yours' }
-- (the sender is neither its buyer nor its seller) | { 'full' }
local parties = redis.call('HMGET', KEYS[1], 'buyer_id', 'seller_id')
if not parties[1] then
  return { 'not_found' }
end
if ARGV[1] ~= parties[1] and ARGV[1] ~= parties[2] then
  return { 'not_yours' }
end
local kept = redis.call('LLEN', KEYS[2])
if kept >= tonumber(ARGV[4]) then
  return { 'full' }
end
local at = now_ms()
redis.call('RPUSH', KEYS[2], ARGV[1] .. '|' .. string.format('%d', at) .. '|' .. ARGV[2] .. '|' .. ARGV[3])
return { 'sent', at, kept + 1 }
