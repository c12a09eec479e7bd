export { resilientRedisOptions } from './connection-options.ts';
export { type BusKeys, busKeys } from './keys.ts';
export { LEGACY_PATTERN, type LegacyBridgeConfig, LegacyChannelBridge } from './legacy-bridge.ts';
export { RedisEventBus, type RedisEventBusConfig } from './redis-event-bus.ts';
