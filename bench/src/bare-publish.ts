import { threadChannel } from '@threadcast/bus/redis-names';
import type { EventPosition, StreamEvent } from '@threadcast/contract';
import type { Redis } from 'ioredis';

/** The epoch of every id the at-most-once baseline publishes: it keeps no history, so it never starts another. */
const EPOCH = 'pubsub';

/**
 * How the at-most-once baseline publishes: a bare `PUBLISH` of `{ id, event }` (the wire shape our bus sends) on
 * one ioredis client with its default options, as a user would write it. Ids are numbered here, per thread, only
 * so the load generator can tell a lost event from a delivered one; nothing is stored and nothing is deduplicated.
 */
export class BarePublish {
  private readonly seqs = new Map<string, number>();

  constructor(private readonly redis: Redis) {}

  readonly publish = async (event: StreamEvent): Promise<EventPosition> => {
    const seq = (this.seqs.get(event.threadId) ?? 0) + 1;
    this.seqs.set(event.threadId, seq);
    await this.redis.publish(threadChannel(event.threadId), JSON.stringify({ id: `${EPOCH}:${seq}`, event }));
    return { epoch: EPOCH, seq };
  };

  close(): void {
    this.redis.disconnect();
  }
}
