-- Folds a shard's stats log into its counts, in one step: reads the oldest entries, adds them
-- up per item, seller and minute (a burst of bids on one item becomes one HINCRBY per bucket),
-- writes the minute, hour and day counts of the item, its seller and the site, the hour's
-- trending and price-jump scores, deletes the entries it folded, and pings the live pages
-- (each seller touched, and the market board). Atomic: an entry is counted exactly once,
-- however many instances fold at the same time.
--
-- Counts are packed: one hash field per metric and period, `<metric>:<scale>:<period>`,
-- holds the period's buckets that are not zero as `<slot>:<count>` joined by commas: `m` an
-- hour of 60 minutes, `h` a day of 24 hours, `d` a block of 30 days (bucket = Unix ms / width,
-- so days are UTC days; period = bucket / slots; slot = bucket - period * slots). Fields are
-- prefixed `<item>:` in the items hash and `<seller>:` in the sellers hash. A read of any
-- span is then two fields per metric, and a quiet item costs a few bytes per period. Each
-- field expires with its period: the end of the period plus 48 hours (minutes), 90 days
-- (hours) or 730 days (days); one already past it is not kept (an old event counts only where
-- it is still kept).
--
-- KEYS[1] = the shard's stats log   KEYS[2] = the shard's item counts   KEYS[3] = seller counts
-- KEYS[4] = site counts   KEYS[5], KEYS[6] = trending this hour, last hour
-- KEYS[7], KEYS[8] = price jumps this hour, last hour
-- KEYS[9] = the shard's people log: the new visitors and bidders of each seller, moved here
--           from the stats log to be counted as people (src/analytics/server/people.rs)
-- ARGV[1] = most entries to fold   ARGV[2] = this hour (Unix ms / 3,600,000)
-- ARGV[3] = the user channel prefix   ARGV[4] = the market channel
-- A log entry is one field `e`: `<scopes> <item> <seller> <trend> <jump> <counts>[ @<ms>]`:
-- scopes counted (`i` item, `s` seller, `x` site), item and seller ids (`-` for none), the
-- trending score, the price rise (cents), the counts as `<metric letter><amount>` joined by
-- commas (`b2,u1`), and the event time when it is not the entry id's. An entry that counts a
-- new visitor or bidder has a second field `p`, the person: the fold moves it to the people log
-- as `<seller> <item> <time ms> <person> <metric letters>` (`7 23 1796000000000 u:12 u`). A seller's
-- visitors and bidders are counted from there, each person once per bucket, and not here
-- (a sum over their items would count a person once per item).
-- Returns the number of entries folded.
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[1]))
if #entries == 0 then
  return 0
end
local hour = tonumber(ARGV[2])
local groups, ranked, sellers, ids, people = {}, { {}, {}, {}, {} }, {}, {}, {}
for n, entry in ipairs(entries) do
  ids[n] = entry[1]
  local o, item, seller, trend, jump, counts, at =
    string.match(entry[2][2], '^(%S+) (%S+) (%S+) (%S+) (%S+) ?([^@]*)@?(%d*)$')
  if o then
    item = item == '-' and '' or item
    seller = seller == '-' and '' or seller
    trend, jump = tonumber(trend), tonumber(jump)
    at = tonumber(at) or tonumber(string.match(entry[1], '^%d+'))
    if entry[2][3] == 'p' and seller ~= '' and string.find(o, 's', 1, true) then
      local letters = (string.match(counts, 'q[1-9]') and 'q' or '') ..
        (string.match(counts, 'u[1-9]') and 'u' or '')
      if letters ~= '' then
        people[#people + 1] = seller .. ' ' .. (item ~= '' and item or '-') .. ' ' ..
          string.format('%d', at) .. ' ' .. entry[2][4] .. ' ' .. letters
      end
    end
    if counts ~= '' then
      local minute = math.floor(at / 60000)
      local key = o .. '|' .. item .. '|' .. seller .. '|' .. minute
      local g = groups[key]
      if not g then
        g = { o = o, item = item, seller = seller, minute = minute, counts = {} }
        groups[key] = g
      end
      for metric, amount in string.gmatch(counts, '(%a)(%d+)') do
        g.counts[metric] = (g.counts[metric] or 0) + tonumber(amount)
      end
    end
    local h = math.floor(at / 3600000)
    local slot = (h == hour and 1) or (h == hour - 1 and 2) or nil
    if slot and item ~= '' then
      if trend > 0 then ranked[slot][item] = (ranked[slot][item] or 0) + trend end
      if jump > 0 then ranked[slot + 2][item] = (ranked[slot + 2][item] or 0) + jump end
    end
  end
end
-- Per scope (items, sellers, site): field -> { slot -> amount }, and each field's expiry.
local updates = { {}, {}, {} }
local expires = {}
local SCALES = { { 'm', 60000, 60, 172800000 }, { 'h', 3600000, 24, 7776000000 },
  { 'd', 86400000, 30, 63072000000 } }
for _, g in pairs(groups) do
  local prefixes = {
    (g.item ~= '' and string.find(g.o, 'i', 1, true)) and (g.item .. ':') or false,
    (g.seller ~= '' and string.find(g.o, 's', 1, true)) and (g.seller .. ':') or false,
    string.find(g.o, 'x', 1, true) and '' or false,
  }
  if prefixes[2] then
    sellers[g.seller] = g.item
  end
  for metric, amount in pairs(g.counts) do
    for _, scale in ipairs(SCALES) do
      local bucket = math.floor(g.minute * 60000 / scale[2])
      local period = math.floor(bucket / scale[3])
      local slot = bucket - period * scale[3]
      local suffix = metric .. ':' .. scale[1] .. ':' .. string.format('%d', period)
      local expire = (period + 1) * scale[3] * scale[2] + scale[4]
      for s = 1, 3 do
        -- A seller's new visitors and bidders are people, counted from the people log.
        local person = metric == 'q' or metric == 'u'
        if prefixes[s] and not (s == 2 and person) then
          local field = prefixes[s] .. suffix
          local slots = updates[s][field]
          if not slots then
            slots = {}
            updates[s][field] = slots
            expires[field] = expire
          end
          slots[slot] = (slots[slot] or 0) + amount
        end
      end
    end
  end
end
local now = tonumber(redis.call('TIME')[1]) * 1000
for s = 1, 3 do
  local key = KEYS[s + 1]
  for field, slots in pairs(updates[s]) do
    if expires[field] > now then
      local counts = {}
      for slot, count in string.gmatch(redis.call('HGET', key, field) or '', '(%d+):(%d+)') do
        counts[tonumber(slot)] = tonumber(count)
      end
      for slot, amount in pairs(slots) do
        counts[slot] = (counts[slot] or 0) + amount
      end
      local parts = {}
      for slot, count in pairs(counts) do
        parts[#parts + 1] = slot .. ':' .. string.format('%d', count)
      end
      -- HSETEX: the value and its expiry in one call (HSET alone would drop the expiry).
      redis.call('HSETEX', key, 'PXAT', string.format('%d', expires[field]), 'FIELDS', 1, field,
        table.concat(parts, ','))
    end
  end
end
for r = 1, 4 do
  for item, amount in pairs(ranked[r]) do
    if tonumber(redis.call('ZINCRBY', KEYS[r + 4], amount, item)) == amount then
      redis.call('PEXPIRE', KEYS[r + 4], 7500000)
    end
  end
end
for _, line in ipairs(people) do
  redis.call('XADD', KEYS[9], 'MAXLEN', '~', 100000, '*', 'e', line)
end
-- Everything up to the last entry folded goes: the log only grows at its end.
redis.call('XTRIM', KEYS[1], 'MINID', ids[#ids])
redis.call('XDEL', KEYS[1], ids[#ids])
for seller, item in pairs(sellers) do
  redis.call('PUBLISH', ARGV[3] .. seller, 'stats {"item":' .. item .. '}')
end
redis.call('PUBLISH', ARGV[4], 'stats {}')
return #entries
