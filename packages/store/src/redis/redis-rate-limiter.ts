import { readFileSync } from 'node:fs';
import type { RedisClient } from '@threadcast/bus/redis';
import type { StoreKeys } from '@threadcast/bus/redis-names';
import { newId } from '../ids.ts';
import { checkRateArguments, type RateDecision, type RateLimiter } from '../rate-limiter.ts';

const SLIDING_WINDOW_SCRIPT = readFileSync(new URL('./sliding-window-1.lua', import.meta.url), 'utf8');

type LimitingRedis = RedisClient & {
  threadcastAttempt(key: string, limit: number, windowMs: number, member: string): Promise<[number, number]>;
};

/** The limiter shared by every server on one Redis: a sorted set of attempt times per key, timed by Redis. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: LimitingRedis;

  constructor(
    redis: RedisClient,
    private readonly keys: StoreKeys,
  ) {
    this.redis = redis as LimitingRedis;
    this.redis.defineCommand('threadcastAttempt', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
  }

  async attempt(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    checkRateArguments(limit, windowMs);
    const [allowed, retryAfterMs] = await this.redis.threadcastAttempt(this.keys.rate(key), limit, windowMs, newId());
    return { allowed: allowed === 1, retryAfterMs: Math.max(0, Number(retryAfterMs)) };
  }
}
