-- Adds to one count of a scope for an event that has no script of its own (a sign-up), or
-- at a given time (tests): the same recorder as every write uses (`stat_add`, prelude.lua).
-- KEYS[1] = the scope's stats hash
-- ARGV[1] = field prefix ('' or '<seller>:')   ARGV[2] = metric letter   ARGV[3] = amount
-- ARGV[4] = the event's time (Unix ms), or '' for now
local at = ARGV[4] ~= '' and tonumber(ARGV[4]) or now_ms()
stat_add(KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[3]), at)
return at
