-- Who is signed in, and (optionally) may they do this now: the session lookup with its
-- sliding expiry, and the user's rate limit for an action, in one step. Both keys are in the
-- user's slot; the limit is only counted for a valid session, so a forged cookie cannot use
-- up someone else's allowance.
-- KEYS[1] = the session hash   KEYS[2] = the user's rate-limit set for the action
-- KEYS[3] = the user's notifications (for the unread count the header shows)
-- KEYS[4] = the user's account: a suspended account's sessions are dead (deleted on sight), on
--           every instance at once, since every request asks here; so is every session
--           granted on an older password (its `gen` is not the account's `pw_gen`, which a
--           password reset moves on)
-- ARGV[1] = session lifetime (ms), renewed by this visit
-- ARGV[2] = rate-limit window (ms), or 0 for no limit
-- ARGV[3] = maximum hits per window   ARGV[4] = unique id of this hit
-- ARGV[5] = renew only when the session has aged this long (ms) since it was last renewed:
--           a page view is then usually a pure read (no write to replicate or fsync)
-- Returns { 0 } for no such session, else
-- { 1, user id, username, remaining lifetime before this visit (ms), allowed (1|0),
--   milliseconds until the next hit is allowed, unread notifications,
--   the time zone the user chose for their charts ('' for none) }.
local s = redis.call('HMGET', KEYS[1], 'user_id', 'username', 'gen')
if not s[1] or not s[2] then
  return { 0 }
end
local account = redis.call('HMGET', KEYS[4], 'suspended', 'pw_gen', 'tz')
if account[1] or tonumber(account[2] or '0') ~= tonumber(s[3] or '0') then
  redis.call('DEL', KEYS[1])
  return { 0 }
end
local remaining = redis.call('PTTL', KEYS[1])
if remaining < 0 or tonumber(ARGV[1]) - remaining >= tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local allowed, retry = 1, 0
local window = tonumber(ARGV[2])
if window > 0 then
  local verdict = limit(KEYS[2], window, tonumber(ARGV[3]), ARGV[4])
  allowed, retry = verdict[1], verdict[3]
end
local unread = tonumber(redis.call('HGET', KEYS[3], 'unread') or '0')
return { 1, s[1], s[2], remaining, allowed, retry, unread, account[3] or '' }
