-- One step of an order (orders/), checked against the state it starts from and who takes it:
-- a second, racing or stale step is refused and changes nothing.
-- KEYS[1] = the order (made by close_item.lua or buy_now.lua when the item sold)
-- ARGV[1] = step: 'pay' | 'ship' | 'receive' | 'cancel' | 'auto_receive' | 'offer' | 'accept'
--           | 'expire_offer'
-- ARGV[2] = who takes it (a user id; 'system' for the delayed jobs' auto_receive and
--           expire_offer)
-- pay:     ARGV[3] = payment reference   ARGV[4] = the shipping address (JSON)
-- ship:    ARGV[3] = carrier   ARGV[4] = tracking
-- cancel:  ARGV[3] = ms after the sale before the seller may cancel it unpaid
-- offer:   ARGV[3] = to (user id)   ARGV[4] = their name   ARGV[5] = price   ARGV[6] = expiry ms
--          (a second-chance offer of a cancelled sale to another bidder, once)
-- Returns { 'done', new state } | { 'missing' } | { 'not_yours' }
--       | { 'already_paid' } (a pay retried with the same charge, or paid already)
--       | { 'wrong_state', current state } | { 'too_early', ms left } (cancel)
local o = redis.call('HMGET', KEYS[1], 'state', 'buyer_id', 'seller_id', 'payment_ref',
  'created_at', 'offer_to', 'offer_state', 'offer_expires', 'offer_price', 'offer_name')
if not o[1] then
  return { 'missing' }
end
local step, who = ARGV[1], ARGV[2]
local rules = {
  pay = { from = 'awaiting_payment', to = 'paid', by = o[2], at = 'paid_at' },
  ship = { from = 'paid', to = 'shipped', by = o[3], at = 'shipped_at' },
  receive = { from = 'shipped', to = 'received', by = o[2], at = 'received_at' },
  cancel = { from = 'awaiting_payment', to = 'cancelled', by = o[3], at = 'cancelled_at' },
  auto_receive = { from = 'shipped', to = 'received', by = 'system', at = 'received_at' },
  offer = { from = 'cancelled', to = 'cancelled', by = o[3], at = 'offered_at' },
  accept = { from = 'cancelled', to = 'awaiting_payment', by = o[6], at = 'created_at' },
  expire_offer = { from = 'cancelled', to = 'cancelled', by = 'system', at = 'offer_closed_at' },
}
local rule = rules[step]
if not rule then
  return redis.error_reply('unknown order step ' .. tostring(step))
end
if who ~= rule.by then
  return { 'not_yours' }
end
if o[1] ~= rule.from then
  if step == 'pay' and o[4] then
    return { 'already_paid' }
  end
  return { 'wrong_state', o[1] }
end
if step == 'cancel' then
  local left = tonumber(o[5]) + tonumber(ARGV[3]) - now_ms()
  if left > 0 then
    return { 'too_early', left }
  end
elseif step == 'offer' and o[6] then
  return { 'wrong_state', o[1] }
elseif (step == 'accept' and (o[7] ~= 'open' or now_ms() >= tonumber(o[8])))
    or (step == 'expire_offer' and (o[7] ~= 'open' or now_ms() < tonumber(o[8]))) then
  return { 'wrong_state', o[1] }
end
redis.call('HSET', KEYS[1], 'state', rule.to, rule.at, now_ms())
if step == 'pay' then
  redis.call('HSET', KEYS[1], 'payment_ref', ARGV[3], 'address', ARGV[4])
elseif step == 'ship' then
  redis.call('HSET', KEYS[1], 'carrier', ARGV[3], 'tracking', ARGV[4])
elseif step == 'auto_receive' then
  redis.call('HSET', KEYS[1], 'received_by', 'auto')
elseif step == 'offer' then
  redis.call('HSET', KEYS[1], 'offer_to', ARGV[3], 'offer_name', ARGV[4], 'offer_price', ARGV[5],
    'offer_expires', ARGV[6], 'offer_state', 'open')
elseif step == 'accept' then
  -- The bidder takes the sale over: a new order at their price, awaiting their payment.
  redis.call('HSET', KEYS[1], 'buyer_id', o[6], 'buyer_name', o[10], 'price', o[9],
    'offer_state', 'accepted')
  redis.call('HDEL', KEYS[1], 'cancelled_at')
elseif step == 'expire_offer' then
  redis.call('HSET', KEYS[1], 'offer_state', 'expired')
end
return { 'done', rule.to }
