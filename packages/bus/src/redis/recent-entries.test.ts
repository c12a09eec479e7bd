import { describe, expect, it } from 'vitest';
import { RecentEntries } from './recent-entries.ts';

describe('RecentEntries', () => {
  it('keeps an entry with the time it was set, and drops entries older than the period once a period', () => {
    let now = 0;
    const entries = new RecentEntries<number>(1_000, () => now);
    for (let i = 0; i < 100; i += 1) entries.set(`t${i}`, i);
    expect(entries.get('t7')).toEqual({ value: 7, at: 0 });
    now = 999;
    entries.set('late', 1);
    expect(entries.size).toBe(101);
    now = 1_500;
    entries.set('new', 2);
    expect(entries.size).toBe(2);
    expect(entries.get('t7')).toBeUndefined();
    expect(entries.get('late')?.value).toBe(1);
  });

  it('sets an entry as of a given time', () => {
    const entries = new RecentEntries<true>(1_000, () => 5_000);
    entries.set('a', true, 4_200);
    expect(entries.get('a')?.at).toBe(4_200);
  });
});
