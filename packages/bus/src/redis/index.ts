export { resilientRedisOptions } from './connection-options.ts';
export { type BusKeys, busKeys } from './keys.ts';
export { LEGACY_PATTERN, type LegacyBridgeConfig, LegacyChannelBridge } from './legacy-bridge.ts';
export {
  openSharedConnections,
  RedisEventBus,
  type RedisEventBusConfig,
  type SharedConnections,
} from './redis-event-bus.ts';
