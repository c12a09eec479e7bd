import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { StreamSlots } from './limits.ts';

function refusal(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'opened';
}

describe('StreamSlots', () => {
  it('refuses a user beyond STREAMS_PER_USER and the server beyond STREAMS_PER_SERVER, naming the limit', () => {
    const slots = new StreamSlots({ streamsPerUser: 2, streamsPerServer: 3 });
    const alice = [slots.open('alice'), slots.open('alice')];
    expect(refusal(() => slots.open('alice'))).toMatch(/^TOO_MANY_REQUESTS: .*\(STREAMS_PER_USER\) is 2/);
    slots.open('bob');
    expect(refusal(() => slots.open('carol'))).toMatch(/^TOO_MANY_REQUESTS: .*\(STREAMS_PER_SERVER\) is 3/);
    expect(slots.count).toBe(3);
    alice[0]?.();
    expect(refusal(() => slots.open('carol'))).toBe('opened');
  });

  it('gives a slot back once, however often its release is called', () => {
    const slots = new StreamSlots({ streamsPerUser: 1, streamsPerServer: 10 });
    const release = slots.open('alice');
    const other = slots.open('bob');
    release();
    release();
    expect(slots.count).toBe(1);
    expect(refusal(() => slots.open('alice'))).toBe('opened');
    expect(refusal(() => slots.open('alice'))).toMatch(/STREAMS_PER_USER/);
    other();
  });
});
