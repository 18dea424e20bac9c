-- Enqueue a job, atomically: the idempotency check, the id, and the job itself.
-- KEYS[1] = queue stream   KEYS[2] = delayed set   KEYS[3] = idempotency keys (hash)
-- KEYS[4] = queue counters (hash: seq, per-minute processed/failed)
-- ARGV[1] = kind   ARGV[2] = payload   ARGV[3] = run at (ms; 0 = now)
-- ARGV[4] = idempotency key ('' = none)   ARGV[5] = how long the key is remembered (ms)
-- ARGV[6] = most jobs the queue may hold (waiting + in flight + delayed)
-- Returns { 1, id } when enqueued, { 0, id } when the key was seen (the first job's id),
-- or { -1 } when the queue is full.
local key = ARGV[4]
if key ~= '' then
  local seen = redis.call('HGET', KEYS[3], key)
  if seen then
    return { 0, tonumber(seen) }
  end
end
if redis.call('XLEN', KEYS[1]) + redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[6]) then
  return { -1 }
end
local id = redis.call('HINCRBY', KEYS[4], 'seq', 1)
if key ~= '' then
  redis.call('HSET', KEYS[3], key, id)
  redis.call('HPEXPIRE', KEYS[3], ARGV[5], 'FIELDS', 1, key)
end
local run_at = tonumber(ARGV[3])
if run_at > now_ms() then
  -- Delayed: one member per job, "id|kind|attempt|payload", scored by when it is due.
  redis.call('ZADD', KEYS[2], run_at, id .. '|' .. ARGV[1] .. '|1|' .. ARGV[2])
else
  redis.call('XADD', KEYS[1], '*', 'id', id, 'kind', ARGV[1], 'attempt', 1, 'payload', ARGV[2])
end
return { 1, id }
