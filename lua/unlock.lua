-- Release a distributed lock, but only if we still hold it.
-- KEYS[1] = lock key
-- ARGV[1] = token the holder got when it acquired the lock
-- Returns 1 when the lock was released, 0 when it was not ours (expired or taken over).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
