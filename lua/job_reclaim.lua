-- Take over jobs whose worker stopped answering (no heartbeat for the visibility timeout):
-- XAUTOCLAIM them for this consumer, continuing the scan where the last call stopped; a job
-- delivered more than the allowed number of times (it keeps killing its workers) goes to the
-- dead letters instead of round again.
-- KEYS[1] = queue stream   KEYS[2] = dead letters   KEYS[3] = queue counters
-- ARGV[1] = consumer group   ARGV[2] = this consumer   ARGV[3] = visibility timeout (ms)
-- ARGV[4] = at most this many   ARGV[5] = deliveries allowed   ARGV[6] = dead letters kept
-- ARGV[7] = scan cursor ('0-0' to start over)
-- Returns { next cursor, { { id, { field, value, ... } }, ... } }.
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[7],
  'COUNT', tonumber(ARGV[4]))
local out = {}
for _, entry in ipairs(claimed[2]) do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
  local deliveries = pending[1] and tonumber(pending[1][4]) or 0
  if deliveries > tonumber(ARGV[5]) then
    local f = {}
    local fields = entry[2] or {}
    for i = 1, #fields, 2 do
      f[fields[i]] = fields[i + 1]
    end
    redis.call('XACKDEL', KEYS[1], ARGV[1], 'IDS', 1, entry[1])
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', tonumber(ARGV[6]), '*',
      'id', f.id or '0', 'kind', f.kind or '?', 'attempt', f.attempt or '0',
      'payload', f.payload or '',
      'error', 'its worker stopped ' .. (deliveries - 1) .. ' times while running it',
      'failed_at', now_ms())
    local field = 'f:' .. math.floor(now_ms() / 60000)
    redis.call('HINCRBY', KEYS[3], field, 1)
    redis.call('HPEXPIRE', KEYS[3], 7200000, 'FIELDS', 1, field)
  else
    table.insert(out, entry)
  end
end
return { claimed[1], out }
