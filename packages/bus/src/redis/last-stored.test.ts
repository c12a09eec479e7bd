import { describe, expect, it } from 'vitest';
import { LastStored } from './last-stored.ts';

describe('LastStored', () => {
  it("expects a thread where the producer's previous event left it, and nothing for another producer or sequence", () => {
    const last = new LastStored(60_000, () => 0);
    last.stored('t', 'run', 3, 'abcdefghij', 7);
    expect(last.expected('t', 'run', 4)).toMatchObject({ epoch: 'abcdefghij', seq: 7 });
    expect(last.expected('t', 'run', 5)).toBeNull();
    expect(last.expected('t', 'other', 4)).toBeNull();
    last.forget('t');
    expect(last.expected('t', 'run', 4)).toBeNull();
  });

  it('forgets threads not stored to for a while', () => {
    let now = 0;
    const last = new LastStored(1_000, () => now);
    last.stored('old', 'run', 1, 'e', 1);
    now = 1_500;
    last.stored('new', 'run', 1, 'e', 1);
    expect(last.expected('old', 'run', 2)).toBeNull();
    expect(last.expected('new', 'run', 2)).not.toBeNull();
  });
});
