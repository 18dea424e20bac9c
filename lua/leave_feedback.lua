-- Feedback on an order, once per order and side, and the receiver's rating counts with it (the
-- rating is never recomputed by scanning). All keys are the receiver's.
-- KEYS[1] = the receiver's feedback hash   KEYS[2] = its order (sorted set)   KEYS[3] = rating
-- ARGV[1] = field (`<item>:<giver's side>`)   ARGV[2] = the feedback (JSON)
-- ARGV[3] = rating letter: 'p' | 'u' | 'n'   ARGV[4] = the 30-day period it counts in
-- Returns { 'done' } | { 'already' } (this side of this order gave feedback before)
local r = ARGV[3]
if r ~= 'p' and r ~= 'u' and r ~= 'n' then
  return redis.error_reply('unknown rating ' .. tostring(r))
end
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return { 'already' }
end
redis.call('ZADD', KEYS[2], now_ms(), ARGV[1])
redis.call('HINCRBY', KEYS[3], r, 1)
redis.call('HINCRBY', KEYS[3], r .. ':' .. ARGV[4], 1)
return { 'done' }
