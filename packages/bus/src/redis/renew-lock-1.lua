-- Extends a lock this process holds; a lock that lapsed or that another process took is left alone.
-- KEYS[1]  the lock (a string holding its owner's id)
-- ARGV[1]  this process's id
-- ARGV[2]  milliseconds the lock lives from now
-- Returns  1 if the lock was ours and is extended, else 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
