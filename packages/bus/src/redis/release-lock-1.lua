-- Releases a lock this process holds, so that another process can take it at once; another's lock is left alone.
-- KEYS[1]  the lock (a string holding its owner's id)
-- ARGV[1]  this process's id
-- Returns  1 if the lock was ours and is deleted, else 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
