-- Appends events to their threads' histories and publishes them, in one atomic step, so the position a subscriber
-- sees live is always already readable from history. Several events (of one thread or of many: on a cluster, of one
-- hash slot) go in one call, in order, each with the outcome a call of its own would have had; what a call costs
-- Redis besides its commands (running the script, reading the request, writing the reply) is paid once for all.
-- Written straight, with no table per event or per thread: at this rate Lua's allocations cost more than commands.
-- KEYS     per event: the meta hash of its thread (epoch, seq, p:<producer> "<sequence>:<seq>", e:<producer> final
--          sequence, x last renewal of the expiry), then its history stream (entry id "<seq>-0", field "event")
-- ARGV[1]  history length to keep (approximate MAXLEN)
-- ARGV[2]  seconds a history lives after its last event (0: forever)
-- ARGV[3]  seconds between two renewals of a history's expiry (0: renew on every event)
-- ARGV[4]  'PUBLISH', or 'SPUBLISH' on a cluster (the channel then shares the thread's hash tag)
-- ARGV[5]  '1' to fence against a failover (fence.lua, prepended), else '0'
-- ARGV[6]  the epoch to start a thread with if it has no history (epochs are per thread: one call needs only one)
-- ARGV[7…] per event, 5 values: its pub/sub channel, its JSON, its idempotent producer ('' for none, e.g. a run id),
--          the producer's sequence number of it, '1' if it is the producer's final event
-- Returns  per event three values, epoch, seq, status, one event after the other:
--          status 0: stored and published as {"id":"<epoch>:<seq>","event":<event JSON>}
--          status 1: a duplicate (sequence not above the producer's last): its first position, nothing done
--          status 2: refused, the producer already published its final event (seq is 0)
--          status 3: refused, a non-final sequence skipped ahead of the producer's last + 1 (seq is 0)
--          status 4: nothing done, Redis refused a command: the epoch is Redis's error, for this event and every
--                    one after it in the call
local maxLen = ARGV[1]
local ttl = tonumber(ARGV[2])
local renewEvery = tonumber(ARGV[3])
local publishCommand = ARGV[4]
local fencing = ARGV[5] == '1'
local fresh = ARGV[6]
local now
if ttl > 0 and renewEvery > 0 then
  now = tonumber(redis.call('TIME')[1])
end

-- Threads seen earlier in this call (a run's window of tokens): their epoch and seq, and the state of the producer that
-- published there last, so a run's events in one call read the thread once.
local epochs, seqs, renew = {}, {}, {}
local producers, lasts, ends = {}, {}, {}
local out = {}
local failure

for i = 1, #KEYS / 2 do
  local meta, log = KEYS[i * 2 - 1], KEYS[i * 2]
  local a = 6 + (i - 1) * 5
  local producer, final = ARGV[a + 3], ARGV[a + 5] == '1'
  local lastField, endField
  if producer ~= '' then
    lastField, endField = 'p:' .. producer, 'e:' .. producer
  end
  local epoch, seq = epochs[meta], seqs[meta]
  local status = 0
  if failure then
    status = 4
  elseif not epoch then
    local read = redis.pcall('HMGET', meta, 'epoch', 'seq', 'x', lastField or 'p:', endField or 'e:')
    if read.err then
      failure, status = read.err, 4
    else
      local renewed
      epoch, seq, renewed = read[1], tonumber(read[2]) or 0, tonumber(read[3])
      producers[meta], lasts[meta], ends[meta] = producer, read[4], read[5]
      if not epoch then
        -- A thread without meta starts a new history: drop any orphaned stream so ids restart cleanly.
        epoch = fresh
        redis.call('DEL', log)
        redis.call('HSET', meta, 'epoch', epoch)
      end
      if fencing then
        epoch = fence(meta, epoch, fresh)
      end
      epochs[meta], seqs[meta] = epoch, seq
      -- The expiry is renewed with the thread's first event stored in the call, once `renewEvery` has passed.
      renew[meta] = ttl > 0 and (not now or not renewed or now - renewed >= renewEvery or now < renewed)
    end
  end
  if status == 0 and lastField then
    if producers[meta] ~= producer then
      local read = redis.pcall('HMGET', meta, lastField, endField)
      if read.err then
        failure, status = read.err, 4
      else
        producers[meta], lasts[meta], ends[meta] = producer, read[1], read[2]
      end
    end
    local last = lasts[meta]
    if status == 0 and last then
      local sequence = tonumber(ARGV[a + 4])
      local sep = string.find(last, ':', 1, true)
      local lastSequence = tonumber(string.sub(last, 1, sep - 1))
      local ended = ends[meta]
      if ended then
        -- Only a retry of the final event itself is answered; anything else of an ended producer is refused.
        if sequence == tonumber(ended) then
          status, seq = 1, tonumber(string.sub(last, sep + 1))
        else
          status, seq = 2, 0
        end
      elseif sequence <= lastSequence then
        status, seq = 1, tonumber(string.sub(last, sep + 1))
      elseif not final and sequence > lastSequence + 1 then
        -- Unless a fence started this epoch: the events in between were lost with the old primary (and reported).
        if redis.call('HGET', meta, 'f') ~= epoch then
          status, seq = 3, 0
        end
      end
    end
  end
  if status == 0 then
    seq = seq + 1
    -- Formatted once: Lua turns a number into a string with printf, which costs more than the rest of the event.
    local seqText = tostring(seq)
    local added = redis.pcall('XADD', log, 'MAXLEN', '~', maxLen, seqText .. '-0', 'event', ARGV[a + 2])
    if type(added) == 'table' and added.err then
      failure, status = added.err, 4
    else
      seqs[meta] = seq
      if not lastField then
        redis.call('HSET', meta, 'seq', seqText)
      else
        local last = ARGV[a + 4] .. ':' .. seqText
        lasts[meta] = last
        if final then
          ends[meta] = ARGV[a + 4]
          redis.call('HSET', meta, 'seq', seqText, lastField, last, endField, ARGV[a + 4])
        else
          redis.call('HSET', meta, 'seq', seqText, lastField, last)
        end
      end
      if renew[meta] then
        renew[meta] = false
        if now then
          redis.call('HSET', meta, 'x', now)
        end
        redis.call('EXPIRE', meta, ttl)
        redis.call('EXPIRE', log, ttl)
      end
      redis.call(publishCommand, ARGV[a + 1], '{"id":"' .. epoch .. ':' .. seqText .. '","event":' .. ARGV[a + 2] .. '}')
    end
  end
  local n = #out
  if status == 4 then
    out[n + 1], out[n + 2], out[n + 3] = failure, 0, 4
  else
    out[n + 1], out[n + 2], out[n + 3] = epoch, seq, status
  end
end
return out
