-- Extend a distributed lock's lease, but only if we still hold it.
-- KEYS[1] = lock key
-- ARGV[1] = token the holder got when it acquired the lock
-- ARGV[2] = new time to live in milliseconds
-- Returns 1 when extended, 0 when the lock is no longer ours.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
