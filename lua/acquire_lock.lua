-- Acquire a distributed lock and hand out a fencing token in the same step.
-- KEYS[1] = lock key
-- KEYS[2] = fencing counter for this lock (never expires, only grows)
-- ARGV[1] = random token that identifies this holder
-- ARGV[2] = time to live in milliseconds
-- Returns the fencing number (> 0) when acquired, 0 when someone else holds the lock.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
