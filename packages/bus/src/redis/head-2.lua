-- The thread's epoch and last seq, starting a new history if the thread has none, atomically with
-- publish-n.lua's (and publish-2.lua's) own start of a history (so a concurrent publish is never lost).
-- KEYS[1]  meta hash of the thread: epoch, seq
-- KEYS[2]  history stream of the thread
-- ARGV[1]  epoch to start with if the thread has no history
-- ARGV[2]  seconds the history lives after its last event (0: forever)
-- ARGV[3]  '1' to fence against a failover (fence.lua, prepended), else '0'
-- Returns  { epoch, seq }
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
  if tonumber(ARGV[2]) > 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[2])
  end
elseif ARGV[3] == '1' then
  epoch = fence(KEYS[1], epoch, ARGV[1])
end
return { epoch, tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') }
