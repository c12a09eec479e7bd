import type { RedisTarget } from '@threadcast/bus/redis';
import type { Logger } from '@threadcast/common';

export interface BackendConfig {
  /** Redis to share with other processes (one server's URL, or a cluster or Sentinel set); without it everything lives in this process. */
  redisUrl?: string | undefined;
  /** The same as `redisUrl`, for a cluster or a Sentinel set too; it wins when both are given. */
  redis?: RedisTarget | undefined;
  keyPrefix?: string;
  historyLimit?: number;
  historyTtlSeconds?: number;
  maxQueuedPerSubscriber?: number;
  /** Largest event the bus accepts, in bytes of JSON. */
  maxEventBytes?: number;
  /** Carry events published on the seed's `agent_run:<runId>:new_response` channels (default true). */
  legacyBridge?: boolean;
  /** Replicas that must confirm each event (WAIT) before its publish resolves (default 0). */
  publishReplicas?: number;
  publishReplicasTimeoutMs?: number;
  logger?: Logger;
}
