-- Hide or restore a listing (src/moderation): a hidden listing's document carries `hidden`, so
-- the items index (whose filter leaves such documents out) drops it from every search, browse,
-- count and similar-items answer at once; it leaves the shard's rankings (price, views, ending,
-- its category's); and the bid and Buy It Now scripts refuse it. Restoring undoes each, and
-- puts a live auction back in the rankings with its numbers as they are now.
-- KEYS[1..8], ARGV[1..2] = the item frame (prelude.lua)
-- KEYS[9..] = the shard's ending ranking of each category (see `category_ranking`)
-- ARGV[3] = 'hide' | 'restore'   ARGV[4] = why (kept with the listing for its seller)
-- ARGV[5..] = the slugs of the categories of KEYS[9..], in the same order
-- Returns { 'done' } | { 'unchanged' } (hidden already, or not hidden) | { 'not_found' }
if redis.call('EXISTS', KEYS[I_DOC]) == 0 then
  return { 'not_found' }
end
local hidden = redis.call('HEXISTS', KEYS[I_DOC], 'hidden') == 1
local category = category_ranking(redis.call('HGET', KEYS[I_DOC], 'category'), 9, 5)
local item = ARGV[A_ITEM]
if ARGV[3] == 'hide' then
  if hidden then
    return { 'unchanged' }
  end
  redis.call('HSET', KEYS[I_DOC], 'hidden', '1', 'hidden_why', ARGV[4], 'hidden_at', now_ms())
  touch_item()
  for _, ranking in ipairs({ KEYS[I_PRICE], KEYS[I_VIEWS], KEYS[I_ENDING], category }) do
    redis.call('ZREM', ranking, item)
  end
  return { 'done' }
elseif ARGV[3] == 'restore' then
  if not hidden then
    return { 'unchanged' }
  end
  redis.call('HDEL', KEYS[I_DOC], 'hidden', 'hidden_why', 'hidden_at')
  touch_item()
  local s = redis.call('HMGET', KEYS[I_STATE], 'ends_at', 'closed', 'price', 'views')
  local ends = tonumber(s[1]) or 0
  if s[2] ~= '1' and ends > now_ms() then
    redis.call('ZADD', KEYS[I_ENDING], ends, item)
    redis.call('ZADD', category, ends, item)
    redis.call('ZADD', KEYS[I_PRICE], tonumber(s[3]) or 0, item)
    redis.call('ZADD', KEYS[I_VIEWS], tonumber(s[4]) or 0, item)
  end
  -- Its document's copies of the numbers are refreshed by the next index sync.
  redis.call('SADD', KEYS[I_DIRTY], item)
  return { 'done' }
end
return redis.error_reply('moderate_item: unknown action ' .. tostring(ARGV[3]))
