import type { Logger } from '@threadcast/common';

export interface BackendConfig {
  /** Redis to share with other processes; without it everything lives in this process. */
  redisUrl?: string | undefined;
  keyPrefix?: string;
  historyLimit?: number;
  historyTtlSeconds?: number;
  maxQueuedPerSubscriber?: number;
  /** Largest event the bus accepts, in bytes of JSON. */
  maxEventBytes?: number;
  /** Carry events published on the seed's `agent_run:<runId>:new_response` channels (default true). */
  legacyBridge?: boolean;
  logger?: Logger;
}
