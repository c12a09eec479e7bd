import { describe, expect, it } from 'vitest';
import { RenewalSchedule } from './renewal-schedule.ts';

describe('RenewalSchedule', () => {
  it('asks for a renewal again once the period has passed since the last one, and not before', () => {
    let now = 0;
    const schedule = new RenewalSchedule(60_000, () => now);
    expect(schedule.due('a')).toBe(true);
    schedule.renewed('a', now);
    now = 59_999;
    expect(schedule.due('a')).toBe(false);
    expect(schedule.due('b')).toBe(true);
    now = 60_000;
    expect(schedule.due('a')).toBe(true);
  });

  it('counts from when the renewal was sent, and never moves a renewal back', () => {
    let now = 1_000;
    const schedule = new RenewalSchedule(60_000, () => now);
    schedule.renewed('a', 500);
    schedule.renewed('a', 100);
    now = 60_499;
    expect(schedule.due('a')).toBe(false);
    now = 60_500;
    expect(schedule.due('a')).toBe(true);
  });

  it('renews with every event when the period is 0 (a history that lives under 100 s)', () => {
    const schedule = new RenewalSchedule(0, () => 0);
    schedule.renewed('a', 0);
    expect(schedule.due('a')).toBe(true);
  });
});
