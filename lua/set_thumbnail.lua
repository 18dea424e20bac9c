-- The thumbnail job stores one photo's thumbnail, unless the listing's photos changed since the
-- job was queued (a revision replaces them and queues its own job): a thumbnail made from a
-- replaced photo must never be served at the new photos' addresses, which are cached for a
-- year.
-- KEYS[1] = the item's photo hash   KEYS[2] = the item's document (same slot)
-- ARGV[1] = the listing's revision when the job was queued ('0' for a new listing)
-- ARGV[2] = the thumbnail's field   ARGV[3] = its JPEG bytes
-- Returns { 'set' } | { 'stale' } (the listing was revised since, or is gone)
local rev = redis.call('HGET', KEYS[2], 'rev') or '0'
if redis.call('EXISTS', KEYS[2]) == 0 or rev ~= ARGV[1] then
  return { 'stale' }
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return { 'set' }
