import { describe, expect, it } from 'vitest';
import { withTimeout } from './timeout.ts';

describe('withTimeout', () => {
  it('settles as the promise does when it is in time', async () => {
    await expect(withTimeout(Promise.resolve('ok'), 1_000)).resolves.toBe('ok');
    await expect(withTimeout(Promise.reject(new Error('broken')), 1_000)).rejects.toThrow('broken');
  });

  it('rejects with the limit when the promise does not settle in time', async () => {
    await expect(withTimeout(new Promise(() => {}), 20)).rejects.toThrow('no answer within 20 ms');
  });
});
