-- Appends events to their threads' histories and publishes them, in one atomic step, so the position a subscriber
-- sees live is always already readable from history. Several events (of one thread or of many: on a cluster, of one
-- hash slot) go in one call, in order, each with the outcome a call of its own would have had; what a call costs
-- Redis besides its commands (running the script, reading the request, writing the reply) is paid once for all.
-- Written for the common case, which costs no more than its four commands (HMGET, XADD, HSET, PUBLISH): no table
-- per event, numbers kept as the text Redis gives and takes (Lua's tonumber and tostring go through strtod and
-- printf, which cost more than a command), and a thread remembered only when it comes again in the call.
-- KEYS     per event: the meta hash of its thread (epoch, seq, p:<producer> "<sequence>:<seq>", e:<producer> final
--          sequence), then its history stream (entry id "<seq>-0", field "event")
-- ARGV[1]  history length to keep (approximate MAXLEN)
-- ARGV[2]  seconds a history lives after its last event (0: forever)
-- ARGV[3]  'PUBLISH', or 'SPUBLISH' on a cluster (the channel then shares the thread's hash tag)
-- ARGV[4]  '1' to fence against a failover (fence.lua, prepended), else '0'
-- ARGV[5]  the epoch to start a thread with if it has no history (epochs are per thread: one call needs only one)
-- ARGV[6…] per event, 10 values: its pub/sub channel, its JSON, its idempotent producer ('' for none, e.g. a run id),
--          the producer's sequence number of it and the one before it (both as decimal text), '1' if it is the
--          producer's final event, '1' if a later event of the call is on the same thread, '1' on the thread's first
--          event in the call to renew its expiry (with the first one stored; the caller asks about once a minute for a
--          busy thread: see renewal-schedule.ts; a thread that starts a new history gets its expiry in any case), and
--          the epoch and seq the caller's last stored event of this producer got, if it was the producer's event
--          `previous`, not final, and the caller knows of nothing stored on the thread since ('' and '' otherwise; never
--          when fencing): if the thread is still at that position the producer's state need not be read
-- Returns  per event three values, epoch, seq, status, one event after the other:
--          status 0: stored and published as {"id":"<epoch>:<seq>","event":<event JSON>}
--          status 1: a duplicate (sequence not above the producer's last): the producer's last position, nothing done
--          status 2: refused, the producer already published its final event (seq is 0)
--          status 3: refused, a non-final sequence skipped ahead of the producer's last + 1 (seq is 0)
--          status 4: nothing done, Redis refused a command: the epoch is Redis's error, for this event and every
--                    one after it in the call
local maxLen = ARGV[1]
local ttl = tonumber(ARGV[2])
local publishCommand = ARGV[3]
local fencing = ARGV[4] == '1'
local fresh = ARGV[5]

-- Threads that come again later in the call (a run's window of tokens): their state, so they are read once.
local cached = {}
local out = {}
local failure

for i = 1, #KEYS / 2 do
  local meta, log = KEYS[i * 2 - 1], KEYS[i * 2]
  local a = 5 + (i - 1) * 10
  local producer, sequence, previous, final = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6] == '1'
  -- The producer's end field (e:<producer>) is named only where it is read or written: not for a run's next token.
  local lastField
  if producer ~= '' then
    lastField = 'p:' .. producer
  end
  -- The thread: its epoch, its last seq (text), whether its expiry is to be renewed, and its last producer's state.
  local epoch, seq, renew, owner, last, ended
  -- What the event is answered with: its own position, or a duplicate's.
  local status, answer = 0, 0
  -- The caller's word that its producer's last stored event, sequence `previous`, is the thread's last (position
  -- expectEpoch:expectSeq): if the thread is still there, no event was stored since, so the producer's state is known
  -- and only the thread's position is read.
  local expectEpoch, expectSeq = ARGV[a + 9], ARGV[a + 10]
  local inOrder = false
  local known = cached[meta]
  if failure then
    status = 4
  elseif known then
    epoch, seq, renew, owner, last, ended = known[1], known[2], known[3], known[4], known[5], known[6]
  else
    local read
    if expectEpoch ~= '' then
      read = redis.pcall('HMGET', meta, 'epoch', 'seq')
      if read.err then
        failure, status = read.err, 4
      elseif read[1] == expectEpoch and read[2] == expectSeq then
        epoch, seq, inOrder, owner = read[1], read[2], true, producer
        renew = ARGV[a + 8] == '1'
      end
    end
    if status == 0 and not inOrder then
      read = redis.pcall('HMGET', meta, 'epoch', 'seq', lastField or 'p:', 'e:' .. producer)
      if read.err then
        failure, status = read.err, 4
      else
        epoch, seq, owner, last, ended = read[1], read[2] or '0', producer, read[3], read[4]
        -- Asked for with the thread's first event in the call, done with its first one stored.
        renew = ARGV[a + 8] == '1'
        if not epoch then
          -- A thread without meta starts a new history: drop any orphaned stream so ids restart cleanly.
          epoch = fresh
          redis.call('DEL', log)
          redis.call('HSET', meta, 'epoch', epoch)
          renew = ttl > 0
        end
        if fencing then
          epoch = fence(meta, epoch, fresh)
        end
      end
    end
  end
  if status == 0 and lastField and not inOrder then
    if owner ~= producer then
      local read = redis.pcall('HMGET', meta, lastField, 'e:' .. producer)
      if read.err then
        failure, status = read.err, 4
      else
        owner, last, ended = producer, read[1], read[2]
      end
    end
    if status == 0 and last then
      local sep = string.find(last, ':', 1, true)
      local lastSequence = string.sub(last, 1, sep - 1)
      if ended then
        -- Only a retry of the final event itself is answered; anything else of an ended producer is refused.
        if tonumber(sequence) == tonumber(ended) then
          status, answer = 1, string.sub(last, sep + 1)
        else
          status = 2
        end
      elseif lastSequence ~= previous then
        -- Not the next one: a duplicate, or ahead of a missing one.
        local n, lastN = tonumber(sequence), tonumber(lastSequence)
        if n <= lastN then
          status, answer = 1, string.sub(last, sep + 1)
        elseif not final and n > lastN + 1 then
          -- Unless a fence started this epoch: the events in between were lost with the old primary (and reported).
          if redis.call('HGET', meta, 'f') ~= epoch then
            status = 3
          end
        end
      end
    end
  end
  if status == 0 then
    -- seq + 1 on its text: the last digit goes up, unless it is a 9.
    local next
    local digit = string.byte(seq, -1)
    if digit < 57 then
      next = string.sub(seq, 1, -2) .. string.char(digit + 1)
    else
      next = tostring(tonumber(seq) + 1)
    end
    -- Trimmed with every tenth event: the history is approximate anyway (MAXLEN ~ drops whole nodes of entries),
    -- and the check costs as much as the rest of the XADD.
    local added
    if string.byte(next, -1) == 48 then
      added = redis.pcall('XADD', log, 'MAXLEN', '~', maxLen, next .. '-0', 'event', ARGV[a + 2])
    else
      added = redis.pcall('XADD', log, next .. '-0', 'event', ARGV[a + 2])
    end
    if type(added) == 'table' and added.err then
      failure, status = added.err, 4
    else
      seq, answer = next, next
      if not lastField then
        redis.call('HSET', meta, 'seq', seq)
      else
        last = sequence .. ':' .. seq
        if final then
          ended = sequence
          redis.call('HSET', meta, 'seq', seq, lastField, last, 'e:' .. producer, sequence)
        else
          redis.call('HSET', meta, 'seq', seq, lastField, last)
        end
      end
      if renew then
        renew = false
        redis.call('EXPIRE', meta, ttl)
        redis.call('EXPIRE', log, ttl)
      end
      redis.call(publishCommand, ARGV[a + 1], '{"id":"' .. epoch .. ':' .. seq .. '","event":' .. ARGV[a + 2] .. '}')
    end
  end
  if status ~= 4 and ARGV[a + 7] == '1' then
    if known then
      known[2], known[3], known[4], known[5], known[6] = seq, renew, owner, last, ended
    else
      cached[meta] = { epoch, seq, renew, owner, last, ended }
    end
  end
  local n = #out
  if status == 4 then
    out[n + 1], out[n + 2], out[n + 3] = failure, 0, 4
  else
    out[n + 1], out[n + 2], out[n + 3] = epoch, answer, status
  end
end
return out
