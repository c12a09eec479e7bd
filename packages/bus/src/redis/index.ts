export { resilientRedisOptions } from './connection-options.ts';
export { type LegacyBridgeConfig, LegacyChannelBridge } from './legacy-bridge.ts';
export {
  openSharedConnections,
  RedisEventBus,
  type RedisEventBusConfig,
  type SharedConnections,
} from './redis-event-bus.ts';
