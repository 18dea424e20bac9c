-- Hide or restore a comment (src/moderation). A hidden comment moves to the item's hidden
-- comments (kept for the moderators and for a restore), leaves the comment order and the count,
-- and open pages drop it live; a restore puts it back where it was and announces it again.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9] = the item's comments   KEYS[10] = their order   KEYS[11] = the item's hidden comments
-- ARGV[3] = 'hide' | 'restore'   ARGV[4] = comment id
-- Returns { 'done' } | { 'unchanged' } | { 'not_found' }
local id = ARGV[4]
local from, to = KEYS[9], KEYS[11]
if ARGV[3] == 'restore' then
  from, to = KEYS[11], KEYS[9]
elseif ARGV[3] ~= 'hide' then
  return redis.error_reply('moderate_comment: unknown action ' .. tostring(ARGV[3]))
end
local stored = redis.call('HGET', from, id)
if not stored then
  if redis.call('HEXISTS', to, id) == 1 then
    return { 'unchanged' }
  end
  return { 'not_found' }
end
redis.call('HSET', to, id, stored)
redis.call('HDEL', from, id)
if ARGV[3] == 'hide' then
  redis.call('ZREM', KEYS[10], id)
  local count = redis.call('HINCRBY', KEYS[I_STATE], 'comments', -1)
  emit_item('comment_deleted', { type = 'comment_deleted', id = tonumber(id), count = count })
  return { 'done' }
end
-- `author_id|created_ms|author_name|text` (see add_comment.lua)
local author, created, name, text = string.match(stored, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
redis.call('ZADD', KEYS[10], tonumber(created) or 0, id)
local count = redis.call('HINCRBY', KEYS[I_STATE], 'comments', 1)
emit_item('comment', {
  type = 'comment',
  comment = {
    id = tonumber(id),
    item_id = ARGV[A_ITEM],
    author_id = tonumber(author),
    author_name = name,
    text = text,
    created_ms = tonumber(created),
  },
  count = count,
})
return { 'done' }
