-- A bid with its session check in the same step, for one Redis (on a cluster the session's
-- keys are in the bidder's slot and the bid's in the item's, so the two stay separate scripts:
-- `auction::server::bids::place_bid_as`). One event-loop turn instead of three: with
-- `appendfsync always` each turn that writes waits for its own fsync.
--
-- Made of `session(KEYS, ARGV)` (the body of lua/session.lua) and `bid()` (the body of
-- lua/place_bid.lua), defined above this file by `lua_script!`; then this, which runs them.
-- KEYS = place_bid.lua's keys, then session.lua's four, then the bidder's bids (sorted set,
--        `my_lists`) last
-- ARGV = place_bid.lua's arguments (its bidder id and name are placeholders: the session's
--        are used), then session.lua's five
-- Returns { session reply } when there is no session or the rate limit refuses, else
-- { session reply, place_bid reply }; an accepted bid is also added to the bidder's bids.
local my_bids = table.remove(KEYS)
local function take_last(list, n)
  local taken = {}
  for i = n, 1, -1 do
    taken[i] = table.remove(list)
  end
  return taken
end
local session_keys = take_last(KEYS, 4)
local session_args = take_last(ARGV, 5)
local who = session(session_keys, session_args)
if who[1] ~= 1 or who[5] ~= 1 then
  return { who }
end
ARGV[3], ARGV[4] = who[2], who[3]
local placed = bid()
local status = placed[1]
if status == 'leading' or status == 'raised' or status == 'outbid' then
  redis.call('ZADD', my_bids, placed[5], ARGV[A_ITEM])
end
return { who, placed }
