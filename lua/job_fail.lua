-- A job's handler failed: in one step, take the entry off the stream and either schedule the
-- next attempt (delayed set) or, past the last attempt, move the job to the dead letters.
-- KEYS[1] = queue stream   KEYS[2] = delayed set   KEYS[3] = dead letters (stream)
-- KEYS[4] = queue counters
-- ARGV[1] = consumer group   ARGV[2] = entry id   ARGV[3] = job id   ARGV[4] = kind
-- ARGV[5] = this attempt   ARGV[6] = payload   ARGV[7] = error   ARGV[8] = attempts allowed
-- ARGV[9] = delay before the next attempt (ms)   ARGV[10] = dead letters kept
-- ARGV[11] = the consumer that ran it
-- Returns 1 (retry scheduled), 2 (dead), 0 (the entry is no longer this consumer's: another
-- worker took it over; nothing done).
local owner = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #owner == 0 or owner[1][2] ~= ARGV[11] then
  return 0
end
redis.call('XACKDEL', KEYS[1], ARGV[1], 'IDS', 1, ARGV[2])
local now = now_ms()
local field = 'f:' .. math.floor(now / 60000)
redis.call('HINCRBY', KEYS[4], field, 1)
redis.call('HPEXPIRE', KEYS[4], 7200000, 'FIELDS', 1, field)
local attempt = tonumber(ARGV[5])
if attempt < tonumber(ARGV[8]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[9]),
    ARGV[3] .. '|' .. ARGV[4] .. '|' .. (attempt + 1) .. '|' .. ARGV[6])
  return 1
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', tonumber(ARGV[10]), '*',
  'id', ARGV[3], 'kind', ARGV[4], 'attempt', attempt, 'payload', ARGV[6],
  'error', ARGV[7], 'failed_at', now)
return 2
