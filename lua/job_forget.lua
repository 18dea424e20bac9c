-- Remove a consumer from the group if it holds no entry (checked in the same step, so a
-- consumer that just read something keeps it).
-- KEYS[1] = queue stream
-- ARGV[1] = consumer group   ARGV[2] = consumer
-- Returns 1 removed, 0 kept.
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then
  return 0
end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1
