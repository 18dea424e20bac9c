-- Appends one counted event to a shard's stats log for an event that has no write script of
-- its own (a sign-up), or at a given time (tests); `stats_fold.lua` counts it like the others.
-- KEYS[1] = the shard's stats log
-- ARGV[1] = scopes (`i` item, `s` seller, `x` site)   ARGV[2] = item id or '-'
-- ARGV[3] = seller id or '-'   ARGV[4] = metric letter   ARGV[5] = amount
-- ARGV[6] = event time (ms) or '' for now
-- Returns the entry id.
local at = ARGV[6] ~= '' and ('@' .. ARGV[6]) or ''
return redis.call('XADD', KEYS[1], '*', 'e',
  ARGV[1] .. ' ' .. ARGV[2] .. ' ' .. ARGV[3] .. ' 0 0 ' .. ARGV[4] .. ARGV[5] .. at)
