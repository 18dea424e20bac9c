-- Sliding-window rate limiter (the window logic is `limit` in prelude.lua).
-- KEYS[1] = sorted set holding one member per accepted hit, scored by time (ms)
-- ARGV[1] = window length in milliseconds
-- ARGV[2] = maximum hits allowed inside one window
-- ARGV[3] = unique id for this hit (so two hits in the same millisecond both count)
-- Time comes from the Redis server clock, so every app instance agrees on it.
-- Returns { allowed (1|0), remaining hits, milliseconds until the next hit is allowed }.
return limit(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3])
