-- A job's handler succeeded: acknowledge and delete its entry (XACKDEL), count it.
-- KEYS[1] = queue stream   KEYS[2] = queue counters
-- ARGV[1] = consumer group   ARGV[2] = entry id
-- Returns 1, or 0 when the entry was no longer pending (another worker finished it first).
local done = redis.call('XACKDEL', KEYS[1], ARGV[1], 'IDS', 1, ARGV[2])
if done[1] == -1 then
  return 0
end
local field = 'p:' .. math.floor(now_ms() / 60000)
redis.call('HINCRBY', KEYS[2], field, 1)
redis.call('HPEXPIRE', KEYS[2], 7200000, 'FIELDS', 1, field)
return 1
