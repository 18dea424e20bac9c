-- Record an item event and broadcast it, in one step (for events that are not part of a
-- write script; the writes announce their own events through `emit`, see prelude.lua).
-- KEYS[1] = the item's event stream
-- ARGV[1] = pub/sub channel of the item   ARGV[2] = event kind   ARGV[3] = event data (JSON)
-- Returns the stream entry id.
return emit_json(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
