-- Mark every notification of a user read, and tell the user's open pages.
-- KEYS[1] = the user's notes (hash)   KEYS[2] = the user's inbox (sorted set)
-- ARGV[1] = the user's live channel
-- Returns how many were unread.
local unread = tonumber(redis.call('HGET', KEYS[1], 'unread') or '0')
if unread == 0 then
  return 0
end
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local id = tostring(tonumber(member))
  local raw = redis.call('HGET', KEYS[1], id)
  if raw then
    local note = cjson.decode(raw)
    if not note.read then
      note.read = true
      redis.call('HSET', KEYS[1], id, cjson.encode(note))
    end
  end
end
redis.call('HSET', KEYS[1], 'unread', 0)
redis.call('PUBLISH', ARGV[1], 'notice ' .. cjson.encode({ unread = 0 }))
return unread
