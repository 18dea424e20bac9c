-- Whether to mail a notice now: at most one email per topic (an item's outbids, a saved
-- search's matches…) an hour. The first takes the topic's gate and is sent; within the hour
-- the rest are dropped (the inbox has them) or, for kinds that batch, kept for one digest sent
-- when the gate opens again (lua/mail_digest.lua).
-- KEYS[1] = the user's account (hash)   KEYS[2] = the user's mail gates (hash, a TTL per field)
-- KEYS[3] = the user's held digests (hash: topic → JSON { items = [...], more = n })
-- ARGV[1] = the kind of mail   ARGV[2] = the topic   ARGV[3] = the gate's time (ms)
-- ARGV[4] = this job's token (a retry of the job that took the gate sends again)
-- ARGV[5] = the digest entry (JSON with an `id`), or '' when this kind does not batch
-- ARGV[6] = the most entries a digest lists (the rest are counted)
-- Returns { 'off' } (no confirmed address, or the kind is off), { 'send' }, { 'held' }, or
-- { 'batched', the gate's holder, ms until the gate opens }.
local account = redis.call('HMGET', KEYS[1], 'email', 'mail_off:' .. ARGV[1])
if not account[1] or account[2] then
  return { 'off' }
end
local holder = redis.call('HGET', KEYS[2], ARGV[2])
if not holder then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
  redis.call('HPEXPIRE', KEYS[2], ARGV[3], 'FIELDS', 1, ARGV[2])
  return { 'send' }
end
if holder == ARGV[4] then
  return { 'send' }
end
if ARGV[5] == '' then
  return { 'held' }
end
local raw = redis.call('HGET', KEYS[3], ARGV[2])
local digest = raw and cjson.decode(raw) or { items = {}, more = 0 }
local entry = cjson.decode(ARGV[5])
local known = false
for _, held in ipairs(digest.items) do
  if held.id == entry.id then
    known = true
  end
end
if not known then
  if #digest.items < tonumber(ARGV[6]) then
    table.insert(digest.items, entry)
  else
    digest.more = digest.more + 1
  end
  redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(digest))
end
local wait = redis.call('HPTTL', KEYS[2], 'FIELDS', 1, ARGV[2])[1]
return { 'batched', holder, math.max(wait, 0) }
