-- Sliding-window rate limiter.
-- KEYS[1] = sorted set holding one member per accepted hit, scored by time (ms)
-- ARGV[1] = window length in milliseconds
-- ARGV[2] = maximum hits allowed inside one window
-- ARGV[3] = unique id for this hit (so two hits in the same millisecond both count)
-- Time comes from the Redis server clock, so every app instance agrees on it.
-- Returns { allowed (1|0), remaining hits, milliseconds until the next hit is allowed }.
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])

if used < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return { 1, limit - used - 1, 0 }
end

local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then
  retry = tonumber(oldest[2]) + window - now
end
if retry < 1 then retry = 1 end
return { 0, 0, retry }
