import { describe, expect, it } from 'vitest';
import { PublishBatcher } from './publish-batcher.ts';

function recorder(limits = { maxItems: 3, maxBytes: 100 }) {
  const calls: string[][] = [];
  const batcher = new PublishBatcher<string, string>(async (items) => {
    calls.push(items);
    if (items.includes('fail')) throw new Error('refused');
    return items.map((item) => `${item}!`);
  }, limits);
  return { calls, batcher };
}

describe('PublishBatcher', () => {
  it('sends what one turn adds together, by group, in order, and answers each item', async () => {
    const { calls, batcher } = recorder();
    const answers = Promise.all([
      batcher.add(1, 'a', 1),
      batcher.add(2, 'x', 1),
      batcher.add(1, 'b', 1),
      batcher.add(1, 'c', 1),
      batcher.add(1, 'd', 1),
    ]);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(await answers).toEqual(['a!', 'x!', 'b!', 'c!', 'd!']);
    expect(calls).toEqual([['a', 'b', 'c'], ['x'], ['d']]);
  });

  it('sends an item alone in the same turn, without waiting for company', async () => {
    const { calls, batcher } = recorder();
    const answer = batcher.add(1, 'alone', 1);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(calls).toEqual([['alone']]);
    expect(await answer).toBe('alone!');
  });

  it('starts a new call before the bytes of one would pass the limit; a larger item goes alone', async () => {
    const { calls, batcher } = recorder({ maxItems: 10, maxBytes: 100 });
    await Promise.all([
      batcher.add(0, 'a', 60),
      batcher.add(0, 'b', 50),
      batcher.add(0, 'big', 500),
      batcher.add(0, 'c', 1),
    ]);
    expect(calls).toEqual([['a'], ['b'], ['big'], ['c']]);
  });

  it('fails every item of a call that fails, and only those', async () => {
    const { batcher } = recorder({ maxItems: 2, maxBytes: 100 });
    const results = await Promise.allSettled([
      batcher.add(0, 'a', 1),
      batcher.add(0, 'fail', 1),
      batcher.add(0, 'b', 1),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('fails an item the reply has no answer for', async () => {
    const batcher = new PublishBatcher<string, string>(async () => ['only one'], { maxItems: 5, maxBytes: 100 });
    const [first, second] = await Promise.allSettled([batcher.add(0, 'a', 1), batcher.add(0, 'b', 1)]);
    expect(first).toEqual({ status: 'fulfilled', value: 'only one' });
    expect(second.status).toBe('rejected');
  });
});
