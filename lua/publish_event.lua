-- Record an item event and broadcast it, in one step.
-- KEYS[1] = the item's event stream (the replay buffer for reconnecting browsers)
-- ARGV[1] = pub/sub channel of the item
-- ARGV[2] = event kind   ARGV[3] = event data (JSON)
-- The stream keeps about the last 200 events for a day; its entry id is the SSE event id,
-- so a browser that reconnects with Last-Event-ID gets exactly what it missed.
-- Returns the stream entry id.
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', 200, '*', 'kind', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2] .. ' ' .. ARGV[3])
return id
