-- Sign-in replaces a password hash made with older argon2 parameters by one made with today's,
-- of the same password, only if the account still holds the hash that was checked: a password
-- reset in between wins. The password generation stays, so no session ends.
-- KEYS[1] = the user's account hash
-- ARGV[1] = the hash the password was checked against   ARGV[2] = the new hash
-- Returns { 'rehashed' } | { 'changed' } (the stored hash is no longer the one checked)
if redis.call('HGET', KEYS[1], 'password') ~= ARGV[1] then
  return { 'changed' }
end
redis.call('HSET', KEYS[1], 'password', ARGV[2])
return { 'rehashed' }
