-- A thread's epoch with some of its history, read together so they belong together (one command where a
-- MULTI would take four).
-- KEYS[1]  meta hash of the thread: epoch, seq
-- KEYS[2]  history stream of the thread
-- ARGV[1]  'after': the entries from ARGV[2] (an XRANGE start) on, oldest first;
--          'newest': the newest entries, newest first, at most ARGV[2] of them ('' for all)
-- ARGV[3]  '1' to fence against a failover (fence.lua, prepended), else '0'
-- ARGV[4]  the epoch to start if the fence finds the thread last written by a replaced primary
-- Returns  { epoch or false, entries }
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch and ARGV[3] == '1' then
  epoch = fence(KEYS[1], epoch, ARGV[4])
end
local entries
if ARGV[1] == 'after' then
  entries = redis.call('XRANGE', KEYS[2], ARGV[2], '+')
elseif ARGV[2] == '' then
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-')
else
  entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[2])
end
return { epoch, entries }
