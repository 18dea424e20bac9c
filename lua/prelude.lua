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

-- The item frame: the first keys and arguments of every script that writes an item, in this
-- order (`items::server::frame::item_script` builds them): the item's state, document and event
-- stream, and its shard's stats log, price, views and ending rankings and index-dirty set, all
-- in the item's slot; then the item id and its pub/sub channel. A script's own keys follow from
-- KEYS[9], its own arguments from ARGV[3].
local I_STATE, I_DOC, I_EVENTS, I_STATS = 1, 2, 3, 4
local I_PRICE, I_VIEWS, I_ENDING, I_DIRTY = 5, 6, 7, 8
local A_ITEM, A_CHANNEL = 1, 2

-- `emit` on the item's own stream and channel (the item frame).
local function emit_item(kind, event)
  return emit(KEYS[I_EVENTS], ARGV[A_CHANNEL], kind, event)
end

-- For a change the item's page shows that has no live event of its own (a like, a watch, a
-- maximum raised without moving the price, a seller's revision): a bare `touch` on the item's
-- channel, so that every instance reads again what it remembers of the item's viewers
-- (`live::server::TOUCH`; not forwarded to browsers, not kept in the event stream).
local function touch_item()
  redis.call('PUBLISH', ARGV[A_CHANNEL], 'touch')
end

-- The seller's checks before changing their own listing (end_listing.lua, revise_listing.lua,
-- add_to_description.lua): reads the item's state `seller_id`, `ends_at`, `closed` and then the
-- fields `extra` names. Returns the refusal ('not_found', 'not_yours', or 'over': closed or past
-- its end by the Redis clock) or nil when `seller` may go on, and the fields read (`extra`'s
-- from index 4).
local function own_running_listing(seller, now, extra)
  local s = redis.call('HMGET', KEYS[I_STATE], 'seller_id', 'ends_at', 'closed', unpack(extra))
  if not s[1] then
    return 'not_found', s
  end
  if s[1] ~= seller then
    return 'not_yours', s
  end
  if s[3] == '1' or now >= tonumber(s[2]) then
    return 'over', s
  end
  return nil, s
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

-- Analytics (src/analytics): every counted event (a bid, a view, a like...) is appended to its
-- shard's stats log in the same step as the write it counts, one `XADD`; `stats_fold.lua` folds
-- the log into the minute, hour and day counts in batches and removes what it folded, in one
-- step, so every event is counted exactly once. `k` is the index of the log in KEYS; `counts`
-- maps metric letters to amounts; `trend` is added to the item's activity score for the hour,
-- `jump` (cents) to its price rise. The item, its seller and the site are counted. `person`
-- (`u:<user>` or `a:<visitor>`) goes with a new visitor (`q`) or a new bidder (`u`) of the item,
-- so that the seller's figures count each person once across all their items.
local function record_stats(k, seller, item, counts, trend, jump, person)
  local parts = {}
  for metric, n in pairs(counts) do
    if n > 0 then
      parts[#parts + 1] = metric .. n
    end
  end
  if #parts > 0 or trend > 0 or jump > 0 then
    -- One field: `<scopes> <item> <seller> <trend> <jump> <metric><n>,...` (see stats_fold.lua),
    -- and `p` = the person when the entry counts one.
    local line = 'isx ' .. item .. ' ' .. seller .. ' ' .. trend .. ' ' .. jump .. ' ' .. table.concat(parts, ',')
    if person and ((counts.q or 0) > 0 or (counts.u or 0) > 0) then
      redis.call('XADD', KEYS[k], 'MAXLEN', '~', 100000, '*', 'e', line, 'p', person)
    else
      redis.call('XADD', KEYS[k], 'MAXLEN', '~', 100000, '*', 'e', line)
    end
  end
end

-- An order for a sale (orders/: awaiting payment until the buyer pays), made by the step that
-- sold the item, once: a second call leaves the first order as it is.
local function create_order(key, buyer_id, buyer_name, seller_id, price)
  if redis.call('EXISTS', key) == 0 then
    redis.call('HSET', key, 'state', 'awaiting_payment', 'buyer_id', buyer_id,
      'buyer_name', buyer_name, 'seller_id', seller_id, 'price', price, 'created_at', now_ms())
  end
end

-- The shard's ranking of an item's category (src/items/server/rankings.rs, `CategoryRankings`):
-- a script that keeps it is given the shard's ranking of every category as its last KEYS from
-- KEYS[k] on, and their slugs, in the same order, as its last ARGV from ARGV[a] on. The default
-- category comes first, so an item whose category is missing or unknown uses its ranking, as
-- listing does.
local function category_ranking(category, k, a)
  for i = 0, #ARGV - a do
    if ARGV[a + i] == category then
      return KEYS[k + i]
    end
  end
  return KEYS[k]
end

-- With a reserve (0: none), a maximum at or above it lifts the price `p` to it
-- (place_bid.lua, cancel_bids.lua).
local function lift_to_reserve(p, max, reserve)
  if reserve > 0 and max >= reserve and p < reserve then
    return reserve
  end
  return p
end

-- The bid increment at a price (eBay's table, in cents): a new maximum must beat the price by
-- it, and the leader leads by at most it (place_bid.lua, cancel_bids.lua).
local function increment(price)
  if price < 100 then return 5            -- under $1: 5¢
  elseif price < 500 then return 25       -- under $5: 25¢
  elseif price < 2500 then return 50      -- under $25: 50¢
  elseif price < 10000 then return 100    -- under $100: $1
  elseif price < 25000 then return 250    -- under $250: $2.50
  elseif price < 50000 then return 500    -- under $500: $5
  elseif price < 100000 then return 1000  -- under $1,000: $10
  elseif price < 250000 then return 2500  -- under $2,500: $25
  elseif price < 500000 then return 5000  -- under $5,000: $50
  else return 10000                       -- $100
  end
end

-- The `bid` live event: the price, the count, the next minimum, the leader after it, when, the
-- end, whether the reserve is met, and the history rows it added, oldest first (place_bid.lua,
-- cancel_bids.lua).
local function emit_bid(price, bids, next_min, leader, leader_name, at, ends, reserve_met, rows)
  emit_item('bid', {
    type = 'bid',
    price_cents = price,
    bids = bids,
    min_next_cents = next_min,
    bidder_id = tonumber(leader),
    bidder_name = leader_name,
    at_ms = at,
    ends_at_ms = ends,
    reserve_met = reserve_met,
    rows = rows,
  })
end
