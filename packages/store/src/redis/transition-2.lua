-- Moves a run to a new state if its current state allows it, atomically, and keeps the count of runs per state.
-- KEYS[1]  the run's hash (state, updatedAt, reason, text, ...)
-- KEYS[2]  the count of runs per state (a hash: state -> count), read by metrics
-- ARGV[1]  the new state
-- ARGV[2]  states it may be reached from, comma-separated (e.g. ",queued,running,")
-- ARGV[3]  now, in ms
-- ARGV[4]  reason ('' for none)
-- ARGV[5]  text ('' for none)
-- ARGV[6]  token count ('' for none)
-- Returns  1 if moved, 0 if the run is unknown or its state does not allow it
local state = redis.call('HGET', KEYS[1], 'state')
if not state or not string.find(ARGV[2], ',' .. state .. ',', 1, true) then
  return 0
end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'text', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'tokenCount', ARGV[6]) end
redis.call('HINCRBY', KEYS[2], state, -1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
return 1
