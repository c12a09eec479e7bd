-- Moves a run to a new state if its current state allows it, atomically, and keeps the count of runs per state.
-- KEYS[1]  the run's hash (state, updatedAt, reason, text, parts, checkpoint, ...)
-- KEYS[2]  the count of runs per state (a hash: state -> count), read by metrics; absent on a cluster, where
--          it lives in another slot and the caller counts with the state returned
-- ARGV[1]  the new state
-- ARGV[2]  states it may be reached from, comma-separated (e.g. ",queued,running,")
-- ARGV[3]  now, in ms
-- ARGV[4]  fields to delete before setting, comma-separated ('' for none)
-- ARGV[5…] field, value, field, value, … to set (values already encoded: JSON or plain text)
-- Returns  the state it left if moved, 0 if the run is unknown or its state does not allow it
local state = redis.call('HGET', KEYS[1], 'state')
if not state or not string.find(ARGV[2], ',' .. state .. ',', 1, true) then
  return 0
end
for field in string.gmatch(ARGV[4], '[^,]+') do
  redis.call('HDEL', KEYS[1], field)
end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'updatedAt', ARGV[3])
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if KEYS[2] then
  redis.call('HINCRBY', KEYS[2], state, -1)
  redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
end
return state
