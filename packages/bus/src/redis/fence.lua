-- Prepended to the scripts that read or write a thread's position when the engine can fail over (a cluster or
-- a Sentinel set). A primary that took over from another (its master_replid2 is the other's replication id)
-- may lack the last events the other acknowledged: replication is asynchronous. A thread last written by the
-- primary this one replaced therefore starts a new epoch, keeping what it retained, so a subscriber that saw
-- more than survived is told `reset` and replays, and no position is ever reused for another event.
-- Returns the thread's epoch, new or not. `meta` is the thread's meta hash, `fresh` the epoch to start.
local replicationInfo
local function fence(meta, epoch, fresh)
  -- Asked once per call: a call that publishes many events fences them all with one INFO.
  replicationInfo = replicationInfo or redis.call('INFO', 'replication')
  local info = replicationInfo
  local id = string.match(info, 'master_replid:(%x+)')
  local last = redis.call('HGET', meta, 'r')
  if last == id or not id then
    return epoch
  end
  redis.call('HSET', meta, 'r', id)
  if last and last == string.match(info, 'master_replid2:(%x+)') then
    -- 'f' marks the epoch a fence started: a producer whose last events were lost may go on from where it is.
    redis.call('HSET', meta, 'epoch', fresh, 'f', fresh)
    return fresh
  end
  return epoch
end
