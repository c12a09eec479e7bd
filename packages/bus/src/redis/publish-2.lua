-- Appends one event to a thread's history and publishes it, in one atomic step, so the position a
-- subscriber sees live is always already readable from history. The form documented for producers in other
-- languages (docs/protocol.md); the bus itself sends many events per call with publish-n.lua, which keeps the same
-- fields and answers each event as this script would (publish-batch.redis.test.ts runs both on one thread).
-- KEYS[1]  meta hash of the thread: epoch, seq
-- KEYS[2]  history stream of the thread (entry id "<seq>-0", field "event")
-- ARGV[1]  pub/sub channel of the thread
-- ARGV[2]  event JSON
-- ARGV[3]  epoch to start with if the thread has no history
-- ARGV[4]  history length to keep (approximate MAXLEN)
-- ARGV[5]  seconds the history lives after its last event (0: forever)
-- ARGV[6]  idempotent producer ('' for none), e.g. a run id
-- ARGV[7]  the producer's sequence number of this event
-- ARGV[8]  '1' if this is the producer's final event
-- ARGV[9]  'PUBLISH', or 'SPUBLISH' on a cluster (the channel then shares the thread's hash tag)
-- ARGV[10] '1' to fence against a failover (fence.lua, prepended), else '0'
-- Returns  { epoch, seq, status } of the event:
--          status 0: stored and published as {"id":"<epoch>:<seq>","event":<event JSON>}
--          status 1: a duplicate (sequence not above the producer's last): its first position, nothing done
--          status 2: refused, the producer already published its final event (seq is 0)
--          status 3: refused, a non-final sequence skipped ahead of the producer's last + 1 (seq is 0)
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  -- A thread without meta starts a new history: drop any orphaned stream so ids restart cleanly.
  epoch = ARGV[3]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
if ARGV[10] == '1' then
  epoch = fence(KEYS[1], epoch, ARGV[3])
end
local producer = ARGV[6]
if producer ~= '' then
  local last = redis.call('HGET', KEYS[1], 'p:' .. producer)
  local ended = redis.call('HGET', KEYS[1], 'e:' .. producer)
  if last then
    local sep = string.find(last, ':', 1, true)
    local lastSequence = tonumber(string.sub(last, 1, sep - 1))
    local lastSeq = tonumber(string.sub(last, sep + 1))
    if ended then
      -- Only a retry of the final event itself is answered; anything else of an ended producer is refused.
      if tonumber(ARGV[7]) == tonumber(ended) then
        return { epoch, lastSeq, 1 }
      end
      return { epoch, 0, 2 }
    end
    if tonumber(ARGV[7]) <= lastSequence then
      return { epoch, lastSeq, 1 }
    end
    if ARGV[8] ~= '1' and tonumber(ARGV[7]) > lastSequence + 1 then
      -- Unless a fence started this epoch: the events in between were lost with the old primary (and reported).
      if redis.call('HGET', KEYS[1], 'f') ~= epoch then
        return { epoch, 0, 3 }
      end
    end
  end
end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
if producer ~= '' then
  redis.call('HSET', KEYS[1], 'p:' .. producer, ARGV[7] .. ':' .. seq)
  if ARGV[8] == '1' then
    redis.call('HSET', KEYS[1], 'e:' .. producer, ARGV[7])
  end
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'event', ARGV[2])
local ttl = tonumber(ARGV[5])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[2], ttl)
end
redis.call(ARGV[9], ARGV[1], '{"id":"' .. epoch .. ':' .. seq .. '","event":' .. ARGV[2] .. '}')
return { epoch, seq, 0 }
