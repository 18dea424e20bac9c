-- One notification into a user's inbox, in one step: run once per key, coalesced with the
-- same kind of notice about the same item from the last minute, the inbox capped, the unread
-- count kept, and the new count pushed to the user's open pages.
-- KEYS[1] = the user's notes (hash)   KEYS[2] = the user's inbox (sorted set)
-- KEYS[3] = the user's account (hash): whether this notice should also be mailed
-- ARGV[1] = kind   ARGV[2] = item id   ARGV[3] = item name   ARGV[4] = price (cents)
-- ARGV[5] = who caused it ('' = nobody)   ARGV[6] = once-only key ('' = none)
-- ARGV[7] = coalesce (1|0)   ARGV[8] = notes kept   ARGV[9] = the user's live channel
-- ARGV[10] = the kind of email this notice is ('' = none)
-- Returns { unread count, mail (1 when the user has a confirmed address and did not turn this
-- kind of mail off) }, or { -1, mail } when this key was handled before (a retried delivery
-- still queues its mail: that enqueue is idempotent by the same key).
local notes, inbox = KEYS[1], KEYS[2]
local function wants_mail()
  if ARGV[10] == '' then
    return 0
  end
  local account = redis.call('HMGET', KEYS[3], 'email', 'mail_off:' .. ARGV[10])
  if account[1] and not account[2] then
    return 1
  end
  return 0
end
local once = ARGV[6] ~= '' and ('d:' .. ARGV[6]) or nil
if once and redis.call('HEXISTS', notes, once) == 1 then
  return { -1, wants_mail() }
end
local now = now_ms()
local unread = tonumber(redis.call('HGET', notes, 'unread') or '0')
local coalesce = 'c:' .. ARGV[1] .. ':' .. ARGV[2]
local note
if ARGV[7] == '1' then
  local existing = redis.call('HGET', notes, coalesce)
  local raw = existing and redis.call('HGET', notes, existing)
  if raw then
    note = cjson.decode(raw)
    note.count = note.count + 1
    note.at_ms = now
    note.price_cents = tonumber(ARGV[4])
    note.actor = ARGV[5]
    if note.read then
      note.read = false
      unread = unread + 1
    end
  end
end
if not note then
  local id = redis.call('HINCRBY', notes, 'seq', 1)
  note = {
    id = id, kind = ARGV[1], item_id = tonumber(ARGV[2]), item_name = ARGV[3],
    price_cents = tonumber(ARGV[4]), actor = ARGV[5], count = 1, at_ms = now, read = false,
  }
  unread = unread + 1
  if ARGV[7] == '1' then
    redis.call('HSET', notes, coalesce, id)
    redis.call('HPEXPIRE', notes, 60000, 'FIELDS', 1, coalesce)
  end
end
redis.call('HSET', notes, tostring(note.id), cjson.encode(note), 'unread', unread)
-- Members are zero-padded ids, so notes of the same millisecond order (and are trimmed) by id.
redis.call('ZADD', inbox, now, string.format('%012d', note.id))
local extra = redis.call('ZCARD', inbox) - tonumber(ARGV[8])
if extra > 0 then
  for _, old in ipairs(redis.call('ZRANGE', inbox, 0, extra - 1)) do
    local field = tostring(tonumber(old))
    local raw = redis.call('HGET', notes, field)
    if raw and not cjson.decode(raw).read then
      unread = unread - 1
    end
    redis.call('HDEL', notes, field)
  end
  redis.call('ZREMRANGEBYRANK', inbox, 0, extra - 1)
  redis.call('HSET', notes, 'unread', unread)
end
-- Marked delivered last: a script that fails half-way (Redis keeps its earlier writes) is
-- retried rather than taken as done.
if once then
  redis.call('HSET', notes, once, 1)
  redis.call('HPEXPIRE', notes, 604800000, 'FIELDS', 1, once)
end
redis.call('PUBLISH', ARGV[9], 'notice ' .. cjson.encode({ unread = unread }))
return { unread, wants_mail() }
