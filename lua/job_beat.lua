-- The heartbeat of a worker: reset the idle time of the entries it holds, but only of those
-- it still owns (a plain XCLAIM would take back an entry another worker rightly took over).
-- KEYS[1] = queue stream
-- ARGV[1] = consumer group   ARGV[2] = this consumer   ARGV[3..] = entry ids
-- Returns the ids this consumer no longer owns.
local lost = {}
for i = 3, #ARGV do
  local owner = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #owner > 0 and owner[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
