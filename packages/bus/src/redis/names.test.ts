import { describe, expect, it } from 'vitest';
import {
  busKeys,
  connectionNames,
  LEGACY_CHANNEL_PATTERN,
  legacyBridgeLockKey,
  legacyRunChannel,
  runIdOfLegacyChannel,
  storeKeys,
  THREAD_CHANNEL_PATTERN,
  threadChannel,
} from './names.ts';

// These strings are read by other processes (older servers and workers, the seed's producers, redis-cli
// users): this test spells them out so that no refactoring changes one unnoticed.
describe('Redis names', () => {
  it('keeps the bus keys and channels of the wire protocol', () => {
    const keys = busKeys();
    expect(keys.channel('t1')).toBe('thread:t1');
    expect(keys.meta('t1')).toBe('threadcast:thread:{t1}:meta');
    expect(keys.log('t1')).toBe('threadcast:thread:{t1}:log');
    expect(busKeys('p:', 'c:').meta('t1')).toBe('p:thread:{t1}:meta');
    expect(busKeys('p:', 'c:').channel('t1')).toBe('c:t1');
    expect(threadChannel('t1')).toBe('thread:t1');
    expect(THREAD_CHANNEL_PATTERN).toBe('thread:*');
  });

  it("keeps the seed's channels and the bridge's lock", () => {
    expect(LEGACY_CHANNEL_PATTERN).toBe('agent_run:*:new_response');
    expect(legacyRunChannel('r1')).toBe('agent_run:r1:new_response');
    expect(runIdOfLegacyChannel(legacyRunChannel('r1'))).toBe('r1');
    expect(legacyBridgeLockKey()).toBe('threadcast:legacy-bridge');
    expect(legacyBridgeLockKey('p:')).toBe('p:legacy-bridge');
  });

  it('keeps the store keys', () => {
    const keys = storeKeys();
    expect(keys.thread('t1')).toBe('threadcast:thread:{t1}:info');
    expect(keys.ownerThreads('u1')).toBe('threadcast:user:{u1}:threads');
    expect(keys.runQueue()).toBe('threadcast:runs:queue');
    expect(keys.runStates()).toBe('threadcast:runs:states');
    expect(keys.run('r1')).toBe('threadcast:run:{r1}');
    expect(keys.threadRuns('t1')).toBe('threadcast:thread:{t1}:runs');
    expect(keys.rate('start:u1')).toBe('threadcast:rate:{start:u1}');
  });

  it('keeps the connection names that `pnpm tc` and operators look for', () => {
    expect(connectionNames).toEqual({
      commands: 'threadcast-bus',
      subscriber: 'threadcast-bus-sub',
      runQueue: 'threadcast-run-queue',
      legacyLock: 'threadcast-legacy-lock',
      legacyBridge: 'threadcast-legacy-bridge',
      tc: 'threadcast-tc',
    });
  });
});
