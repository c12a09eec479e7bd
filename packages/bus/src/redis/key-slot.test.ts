import { describe, expect, it } from 'vitest';
import { keySlot } from './key-slot.ts';

describe('keySlot', () => {
  it('matches the slots Redis Cluster computes (CLUSTER KEYSLOT)', () => {
    // Values from the cluster specification and from CLUSTER KEYSLOT on Redis 7.
    expect(keySlot('123456789')).toBe(12_739);
    expect(keySlot('foo')).toBe(12_182);
    expect(keySlot('bar')).toBe(5_061);
  });

  it('hashes only the first non-empty hash tag', () => {
    expect(keySlot('threadcast:thread:{abc}:meta')).toBe(keySlot('abc'));
    expect(keySlot('thread:{abc}')).toBe(keySlot('abc'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}'));
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });
});
