import type { ThreadId } from '@threadcast/contract';

/**
 * Every Redis name the bus uses. Keys carry a hash tag (`{threadId}`) so a thread's keys share a cluster
 * slot; the channel keeps the seed's `thread:<threadId>` form so existing consumers still read it.
 */
export interface BusKeys {
  channel(threadId: ThreadId): string;
  meta(threadId: ThreadId): string;
  log(threadId: ThreadId): string;
}

export function busKeys(keyPrefix: string, channelPrefix: string): BusKeys {
  return {
    channel: (threadId) => `${channelPrefix}${threadId}`,
    meta: (threadId) => `${keyPrefix}thread:{${threadId}}:meta`,
    log: (threadId) => `${keyPrefix}thread:{${threadId}}:log`,
  };
}
