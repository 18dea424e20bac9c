-- Create a user if the username is free, atomically.
-- KEYS[1] = username index hash (lowercase username -> user id)
-- KEYS[2] = user id counter
-- ARGV[1] = lowercase username (the unique key)
-- ARGV[2] = username as typed (for display)
-- ARGV[3] = argon2id PHC string
-- ARGV[4] = key prefix of user hashes (the id is appended)
-- Returns the new user id, or 0 when the username is taken.
-- The user hash key is built here from the new id, so it is not declared in KEYS;
-- Rbay runs on a single Redis (no cluster), where that is allowed.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return 0
end
local id = redis.call('INCR', KEYS[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], id)
redis.call('HSET', ARGV[4] .. id,
  'id', id,
  'username', ARGV[2],
  'username_lower', ARGV[1],
  'password', ARGV[3],
  'created_at', now)
return id
