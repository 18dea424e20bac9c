-- Relisting an item that did not sell, once: claimed before the new listing is made, then
-- pointed at it (or released when making it failed).
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)   KEYS[9] = the item's order
-- ARGV[3] = 'claim' | 'done' | 'release'   ARGV[4] = seller id   ARGV[5] = the new item's id ('done')
-- claim: { 'claimed' } | { 'not_found' } | { 'not_yours' } | { 'not_over' } (still running)
--        | { 'not_relistable' } (sold and the sale stands, or removed by a moderator)
--        | { 'already', new id or 'pending' }
-- done / release: { 'ok' }
local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'closed', 'outcome', 'relisted_as')
if not s[1] then
  return { 'not_found' }
end
if s[1] ~= ARGV[4] then
  return { 'not_yours' }
end
if ARGV[3] == 'done' then
  redis.call('HSET', KEYS[I_STATE], 'relisted_as', ARGV[5])
  touch_item()
  return { 'ok' }
end
if ARGV[3] == 'release' then
  if s[4] == 'pending' then
    redis.call('HDEL', KEYS[I_STATE], 'relisted_as')
    touch_item()
  end
  return { 'ok' }
end
if s[4] then
  return { 'already', s[4] }
end
if s[2] ~= '1' then
  return { 'not_over' }
end
-- Unsold, or sold but the sale was cancelled unpaid and no second-chance offer was taken.
if s[3] ~= 'unsold' then
  local order = redis.call('HMGET', KEYS[9], 'state', 'offer_state')
  if order[1] ~= 'cancelled' or order[2] == 'open' then
    return { 'not_relistable' }
  end
end
redis.call('HSET', KEYS[I_STATE], 'relisted_as', 'pending')
touch_item()
return { 'claimed' }
