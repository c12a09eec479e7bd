export { type RedisConnectionState, RedisConnectionWatch } from './connection-watch.ts';
export { RedisRateLimiter } from './redis-rate-limiter.ts';
export { RedisRunQueue } from './redis-run-queue.ts';
export { RedisRunStore } from './redis-run-store.ts';
export { RedisThreadStore } from './redis-thread-store.ts';
