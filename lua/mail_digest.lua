-- After a digest went out: drops the entries it listed (the first ARGV[2]; any that arrived
-- meanwhile stay for the next one) and closes the topic's gate for another period, held by
-- the digest job, so the next matches are batched again.
-- KEYS[1] = the user's mail gates (hash)   KEYS[2] = the user's held digests (hash)
-- ARGV[1] = the topic   ARGV[2] = entries sent   ARGV[3] = the gate's time (ms)
-- ARGV[4] = the digest job's token
-- Returns { 'done', entries still held }.
local left = 0
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if raw then
  local digest = cjson.decode(raw)
  local rest = {}
  for i, entry in ipairs(digest.items) do
    if i > tonumber(ARGV[2]) then
      table.insert(rest, entry)
    end
  end
  if #rest == 0 then
    redis.call('HDEL', KEYS[2], ARGV[1])
  else
    redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({ items = rest, more = 0 }))
    left = #rest
  end
end
-- (A gate a notice took meanwhile, once the last period was over, is left as it is.)
if not redis.call('HGET', KEYS[1], ARGV[1]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
  redis.call('HPEXPIRE', KEYS[1], ARGV[3], 'FIELDS', 1, ARGV[1])
end
return { 'done', left }
