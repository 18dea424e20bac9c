-- Count a view once per visitor per item.
-- KEYS[1] = item hash
-- KEYS[2] = item's HyperLogLog of visitors
-- ARGV[1] = visitor id (`u:<user id>` when signed in, `a:<cookie id>` otherwise)
-- A HyperLogLog remembers visitors in 12 KB per item whatever their number. When PFADD says
-- the visitor is new, the view count goes up; that count is the item's ranking in the
-- "Most viewed" section (a SORTABLE field of the items index), so both change together.
-- Returns { view count after this view, 1 if this visitor was new else 0 }, or { -1, 0 } for
-- an unknown item.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return { -1, 0 }
end
if redis.call('PFADD', KEYS[2], ARGV[1]) == 1 then
  return { redis.call('HINCRBY', KEYS[1], 'views', 1), 1 }
end
return { tonumber(redis.call('HGET', KEYS[1], 'views')), 0 }
