/** The answer to one attempt: allowed, or refused with how long until the next attempt could pass. */
export interface RateDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise milliseconds until the oldest counted attempt leaves the window. */
  retryAfterMs: number;
}

/**
 * A sliding-window limit shared by every process on the same engine: at most `limit` allowed attempts on
 * `key` within any `windowMs`. Refused attempts are not counted, so a client that keeps trying is let in
 * again as soon as its window has room.
 */
export interface RateLimiter {
  attempt(key: string, limit: number, windowMs: number): Promise<RateDecision>;
}

export function checkRateArguments(limit: number, windowMs: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
    throw new RangeError(`windowMs must be a positive integer, got ${windowMs}`);
  }
}
