import { checkRateArguments, type RateDecision, type RateLimiter } from '../rate-limiter.ts';

/** The embedded engine's limiter: the times of allowed attempts per key, forgotten once out of the window. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  async attempt(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    checkRateArguments(limit, windowMs);
    const now = this.now();
    const recent = (this.attempts.get(key) ?? []).filter((at) => at > now - windowMs);
    if (recent.length >= limit) {
      this.attempts.set(key, recent);
      return { allowed: false, retryAfterMs: (recent[0] as number) + windowMs - now };
    }
    recent.push(now);
    this.attempts.set(key, recent);
    this.forgetIdle(now, windowMs);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Keeps the map from growing with keys that stopped trying (checked now and then, not on every call). */
  private forgetIdle(now: number, windowMs: number): void {
    if (this.attempts.size < 1_000 || Math.random() > 0.01) return;
    for (const [key, times] of this.attempts) {
      if ((times.at(-1) ?? 0) <= now - windowMs) this.attempts.delete(key);
    }
  }
}
