/** Exponential backoff with jitter: attempt 0 waits about `baseMs`, doubling up to `maxMs`, randomised by half. */
export function backoffDelay(attempt: number, baseMs = 50, maxMs = 2_000): number {
  const ceiling = Math.min(baseMs * 2 ** Math.min(attempt, 20), maxMs);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
