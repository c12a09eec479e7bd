-- Renames a thread that exists (one whose hash has an owner); a missing thread is left missing.
-- KEYS[1] the thread's hash; ARGV[1] the new title.
-- Returns 1 when renamed, 0 when there is no such thread.
if redis.call('HEXISTS', KEYS[1], 'ownerId') == 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'title', ARGV[1])
return 1
