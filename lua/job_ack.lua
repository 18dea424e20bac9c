-- A job's handler succeeded: acknowledge and delete its entry (XACKDEL), count it.
-- KEYS[1] = queue stream   KEYS[2] = queue counters
-- ARGV[1] = consumer group   ARGV[2] = entry id   ARGV[3] = the consumer that ran it
-- Returns 1, or 0 when the entry is no longer this consumer's (another worker took it over
-- and will finish it, or finished it already).
local owner = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #owner == 0 or owner[1][2] ~= ARGV[3] then
  return 0
end
redis.call('XACKDEL', KEYS[1], ARGV[1], 'IDS', 1, ARGV[2])
local field = 'p:' .. math.floor(now_ms() / 60000)
redis.call('HINCRBY', KEYS[2], field, 1)
redis.call('HPEXPIRE', KEYS[2], 7200000, 'FIELDS', 1, field)
return 1
