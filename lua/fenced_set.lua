-- A write guarded by a lock's fencing number.
-- KEYS[1] = the lock's fencing counter
-- KEYS[2] = hash to write (in the lock's slot: name the lock with the data's hash tag)
-- ARGV[1] = the writer's fencing number
-- ARGV[2..] = field, value pairs
-- The counter grows with every acquisition of the lock. A writer whose number is older than
-- the newest one lost the lock (its lease expired and someone else took it), so its write is
-- refused. Returns 1 when written, 0 when refused.
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
return 1
