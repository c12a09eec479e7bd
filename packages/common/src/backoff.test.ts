import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from the base up to the ceiling, keeping at least half of each step', () => {
    for (let i = 0; i < 200; i++) {
      expect(backoffDelay(0, 100, 5_000)).toBeGreaterThanOrEqual(50);
      expect(backoffDelay(0, 100, 5_000)).toBeLessThanOrEqual(100);
      expect(backoffDelay(3, 100, 5_000)).toBeGreaterThanOrEqual(400);
      expect(backoffDelay(3, 100, 5_000)).toBeLessThanOrEqual(800);
      expect(backoffDelay(1_000, 100, 5_000)).toBeGreaterThanOrEqual(2_500);
      expect(backoffDelay(1_000, 100, 5_000)).toBeLessThanOrEqual(5_000);
    }
  });

  it('spreads the delays of clients that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 100, 10_000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
