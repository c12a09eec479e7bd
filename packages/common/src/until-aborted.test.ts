import { describe, expect, it } from 'vitest';
import { ABORTED, untilAborted } from './until-aborted.ts';

describe('untilAborted', () => {
  it('settles as the promise does while the signal is quiet', async () => {
    const signal = new AbortController().signal;
    await expect(untilAborted(Promise.resolve(7), signal)).resolves.toBe(7);
    await expect(untilAborted(Promise.reject(new Error('no')), signal)).rejects.toThrow('no');
  });

  it('settles with ABORTED as soon as the signal aborts, or at once if it already did, and leaves no rejection unhandled', async () => {
    const controller = new AbortController();
    let fail: (error: Error) => void = () => {};
    const never = new Promise<number>((_, reject) => {
      fail = reject;
    });
    const waiting = untilAborted(never, controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBe(ABORTED);
    fail(new Error('late'));
    await expect(untilAborted(Promise.resolve(1), controller.signal)).resolves.toBe(ABORTED);
  });
});
