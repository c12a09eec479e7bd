export { resilientRedisOptions } from './connection-options.ts';
export { type BusKeys, busKeys } from './keys.ts';
export { RedisEventBus, type RedisEventBusConfig } from './redis-event-bus.ts';
