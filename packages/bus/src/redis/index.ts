export type { HubListener, LiveHub } from './channel-hub.ts';
export { resilientRedisOptions } from './connection-options.ts';
export { type LegacyBridgeConfig, LegacyChannelBridge } from './legacy-bridge.ts';
export {
  openSharedConnections,
  RedisEventBus,
  type RedisEventBusConfig,
  type SharedConnections,
} from './redis-event-bus.ts';
export {
  closeClient,
  clusterNodeOptions,
  describeTarget,
  isCluster,
  keepConnected,
  openCommandClient,
  parseNodeList,
  type RedisClient,
  type RedisNodeAddress,
  type RedisTarget,
  sentinelOptions,
} from './redis-target.ts';
