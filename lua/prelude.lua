-- Shared helpers, prepended to every script of lua/ when it is loaded (src/server/redis/scripts.rs).

-- The Redis clock in Unix milliseconds: every auction rule uses this one clock.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Records a live event of an item and broadcasts it, as part of the calling write:
-- the item's event stream (about the last 200 events, kept a day, replayed to browsers that
-- reconnect with Last-Event-ID) and the item's pub/sub channel, "<entry id> <kind> <json>".
-- Returns the stream entry id.
local function emit_json(events_key, channel, kind, data)
  local id = redis.call('XADD', events_key, 'MAXLEN', '~', 200, '*', 'kind', kind, 'data', data)
  redis.call('PEXPIRE', events_key, 86400000)
  redis.call('PUBLISH', channel, id .. ' ' .. kind .. ' ' .. data)
  return id
end

-- `emit_json` of a Lua table (the event's fields, `type` included).
local function emit(events_key, channel, kind, event)
  return emit_json(events_key, channel, kind, cjson.encode(event))
end

-- Sliding-window rate limit: one sorted-set member per accepted hit, scored by Redis time.
-- Refused hits are not recorded, so a client that keeps retrying does not push its wait out.
-- Returns { allowed (1|0), remaining hits, milliseconds until the next hit is allowed }.
local function limit(key, window, max, hit_id)
  local now = now_ms()
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local used = redis.call('ZCARD', key)
  if used < max then
    redis.call('ZADD', key, now, now .. ':' .. hit_id)
    redis.call('PEXPIRE', key, window)
    return { 1, max - used - 1, 0 }
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then
    retry = tonumber(oldest[2]) + window - now
  end
  if retry < 1 then retry = 1 end
  return { 0, 0, retry }
end

-- Analytics (src/analytics): counts per minute, hour and day, recorded inside the write they
-- count, so they can never drift from it. A count is one field of a hash,
-- `<metric>:<scale>:<bucket>` (`m`inute, `h`our, `d`ay; bucket = Unix ms / bucket width),
-- with its own expiry (hash-field expiry), set once when the field is created: minute buckets
-- live 48 h after their minute, hour buckets 90 days, day buckets 2 years (730 days).
local STAT_SCALES = {
  { 'm', 60000, 172800000 },
  { 'h', 3600000, 7776000000 },
  { 'd', 86400000, 63072000000 },
}

local function stat_add(key, prefix, metric, n, now)
  for _, s in ipairs(STAT_SCALES) do
    local bucket = math.floor(now / s[2])
    local field = string.format('%s%s:%s:%d', prefix, metric, s[1], bucket)
    if redis.call('HINCRBY', key, field, n) == n then
      redis.call('HPEXPIREAT', key, string.format('%d', (bucket + 1) * s[2] + s[3]), 'FIELDS', 1, field)
    end
  end
end

-- Records an item's event for analytics. The script's keys end with five analytics keys from
-- `ka` on (the item's stats, its shard's sellers stats, its shard's site stats, its shard's
-- trending set and price-jump set for the hour) and its arguments with two from `aa` on (the
-- user channel prefix and the market channel). `counts` maps metric letters to amounts;
-- `trend` is added to the item's trending score, `jump` (cents) to its price rise this hour.
-- The seller's dashboards and the market board are pinged at most once a second per shard:
-- they fetch fresh panels when pinged, so a burst of events costs one refresh.
local function record_stats(ka, aa, seller, item, counts, trend, jump, now)
  for metric, n in pairs(counts) do
    if n > 0 then
      stat_add(KEYS[ka], '', metric, n, now)
      stat_add(KEYS[ka + 1], seller .. ':', metric, n, now)
      stat_add(KEYS[ka + 2], '', metric, n, now)
    end
  end
  if trend > 0 then
    redis.call('ZINCRBY', KEYS[ka + 3], trend, item)
    redis.call('PEXPIRE', KEYS[ka + 3], 7500000)
  end
  if jump > 0 then
    redis.call('ZINCRBY', KEYS[ka + 4], jump, item)
    redis.call('PEXPIRE', KEYS[ka + 4], 7500000)
  end
  local ping = 'p:' .. seller
  if redis.call('HSETNX', KEYS[ka + 1], ping, 1) == 1 then
    redis.call('HPEXPIRE', KEYS[ka + 1], 1000, 'FIELDS', 1, ping)
    redis.call('PUBLISH', ARGV[aa] .. seller, 'stats {"item":' .. item .. '}')
  end
  if redis.call('HSETNX', KEYS[ka + 2], 'p', 1) == 1 then
    redis.call('HPEXPIRE', KEYS[ka + 2], 1000, 'FIELDS', 1, 'p')
    redis.call('PUBLISH', ARGV[aa + 1], 'stats {}')
  end
end
