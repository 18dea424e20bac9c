-- Uses a confirmation or password-reset link, once: the link's nonce must match the one kept
-- for the user (a newer link replaces an older one), and the address it was sent to must
-- still be the user's (a link sent to an address since replaced confirms nothing).
-- KEYS[1] = the user's token record for this purpose (hash: nonce, address; with a TTL)
-- KEYS[2] = the user's account (hash)
-- ARGV[1] = 'confirm' | 'reset'   ARGV[2] = SHA-256 of the link's nonce
-- ARGV[3] = (reset) the new password's hash
-- Returns { 'done', address, replaced } (replaced: 1 when a confirmation took the place of
-- another confirmed address, which is kept in `email_replaced` for the mail that tells it) or
-- { 'invalid' }.
local record = redis.call('HMGET', KEYS[1], 'nonce', 'address')
if not record[1] or record[1] ~= ARGV[2] then
  return { 'invalid' }
end
local address = record[2]
local replaced = 0
if ARGV[1] == 'confirm' then
  if redis.call('HGET', KEYS[2], 'email_pending') ~= address then
    return { 'invalid' }
  end
  local old = redis.call('HGET', KEYS[2], 'email')
  if old and old ~= address then
    redis.call('HSET', KEYS[2], 'email_replaced', old)
    replaced = 1
  end
  redis.call('HSET', KEYS[2], 'email', address)
  redis.call('HDEL', KEYS[2], 'email_pending')
elseif ARGV[1] == 'reset' then
  if redis.call('HGET', KEYS[2], 'email') ~= address then
    return { 'invalid' }
  end
  -- A new password generation: every session granted on an older one (all of them, and any
  -- sign-in with the old password racing this) is dead on sight (lua/session.lua), on every
  -- instance.
  redis.call('HSET', KEYS[2], 'password', ARGV[3])
  redis.call('HINCRBY', KEYS[2], 'pw_gen', 1)
else
  return redis.error_reply('account_token: unknown purpose ' .. tostring(ARGV[1]))
end
redis.call('DEL', KEYS[1])
return { 'done', address, replaced }
