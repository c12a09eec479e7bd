import { closeClient, isCluster, type RedisClient } from '@threadcast/bus/redis';
import { connectionNames, type StoreKeys } from '@threadcast/bus/redis-names';
import { ABORTED, type Logger, untilAborted } from '@threadcast/common';
import { type QueueDepth, type RunJob, type RunLease, type RunQueue, runJobSchema } from '../run-queue.ts';
import type { RedisConnectionWatch } from './connection-watch.ts';

const GROUP = 'workers';
/** How long one blocking read waits before it looks at the abort signal again. */
const BLOCK_MS = 1_000;

type Entry = [id: string, fields: string[]];

/**
 * A Redis Stream with one consumer group as a durable FIFO queue. A taken job stays in the group's
 * pending list until completed; renewing a lease resets its idle time (XCLAIM), so a job idle for longer
 * than the lease belongs to a dead worker and XAUTOCLAIM hands it to exactly one reaper. Streams give
 * this with plain commands on the connection we already have (BullMQ would add its own Lua-heavy job
 * model, retries and a second notion of run state next to the run store).
 */
export class RedisRunQueue implements RunQueue {
  private blocking: RedisClient | null = null;
  private group: Promise<void> | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: StoreKeys,
    private readonly logger: Logger,
    /** Told of the blocking connection this queue opens to wait for jobs. */
    private readonly watch?: RedisConnectionWatch,
  ) {}

  async enqueue(job: RunJob): Promise<void> {
    await this.withGroup(() => this.redis.xadd(this.keys.runQueue(), '*', 'job', JSON.stringify(job)));
  }

  async take(consumer: string, signal: AbortSignal): Promise<RunLease | null> {
    if (!this.blocking) {
      this.blocking = isCluster(this.redis)
        ? this.redis.duplicate([], {
            redisOptions: { ...this.redis.options.redisOptions, connectionName: connectionNames.runQueue },
          })
        : this.redis.duplicate({ connectionName: connectionNames.runQueue });
      this.watch?.add('queue', this.blocking);
    }
    const blocking = this.blocking;
    while (!signal.aborted) {
      const read = this.withGroup(() =>
        blocking.xreadgroup(
          'GROUP',
          GROUP,
          consumer,
          'COUNT',
          1,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.keys.runQueue(),
          '>',
        ),
      ) as Promise<[string, Entry[]][] | null>;
      // A read waiting for an unreachable Redis (a cluster client queues it until the cluster is back) must not hold
      // the taker once it gives up: it goes on alone, and what it takes then is put back.
      const reply = await untilAborted(read, signal);
      if (reply === ABORTED) {
        read.then(
          (late) => this.putBack(late),
          () => undefined,
        );
        return null;
      }
      const entry = reply?.[0]?.[1]?.[0];
      if (!entry) continue;
      const [id, fields] = entry;
      if (signal.aborted) {
        await this.putBack(reply);
        return null;
      }
      const lease = this.toLease(consumer, id, fields);
      if (lease) return lease;
    }
    return null;
  }

  /** Puts a job taken after the taker gave up back at the tail, rather than strand it as abandoned. */
  private async putBack(reply: [string, Entry[]][] | null): Promise<void> {
    const entry = reply?.[0]?.[1]?.[0];
    if (!entry) return;
    const [id, fields] = entry;
    await this.redis
      .multi()
      .xadd(this.keys.runQueue(), '*', ...fields)
      .xack(this.keys.runQueue(), GROUP, id)
      .xdel(this.keys.runQueue(), id)
      .exec();
  }

  async reclaimAbandoned(consumer: string, idleMs: number): Promise<RunLease[]> {
    const [, entries] = (await this.withGroup(() =>
      this.redis.xautoclaim(this.keys.runQueue(), GROUP, consumer, idleMs, '0-0', 'COUNT', 50),
    )) as [string, (Entry | null)[], string[]];
    return entries.flatMap((entry) => {
      if (!entry) return [];
      const lease = this.toLease(consumer, entry[0], entry[1]);
      return lease ? [lease] : [];
    });
  }

  /**
   * Completed jobs leave the stream (XACK and XDEL together), so it holds exactly the waiting jobs and the
   * leased ones, which are the group's pending entries.
   */
  async depth(): Promise<QueueDepth> {
    const key = this.keys.runQueue();
    const [[, length], [pendingError, pending]] = ((await this.redis
      .pipeline()
      .xlen(key)
      .xpending(key, GROUP)
      .exec()) ?? []) as [[Error | null, number], [Error | null, [number, ...unknown[]] | null]];
    if (pendingError && !pendingError.message.includes('NOGROUP')) throw pendingError;
    const leased = Number(pending?.[0] ?? 0);
    return { waiting: Math.max(0, Number(length ?? 0) - leased), leased };
  }

  async close(): Promise<void> {
    if (this.blocking) await closeClient(this.blocking);
  }

  private toLease(consumer: string, id: string, fields: string[]): RunLease | null {
    const key = this.keys.runQueue();
    const complete = async () => {
      await this.redis.multi().xack(key, GROUP, id).xdel(key, id).exec();
    };
    const job = this.parse(fields[fields.indexOf('job') + 1]);
    if (!job) {
      void complete().catch(() => undefined);
      return null;
    }
    return {
      job,
      renew: async () => {
        await this.redis.call('XCLAIM', key, GROUP, consumer, 0, id, 'JUSTID');
      },
      complete,
    };
  }

  /** Runs a command that needs the consumer group, creating it first (again, if Redis lost it). */
  private async withGroup<T>(command: () => Promise<T>): Promise<T> {
    this.group ??= this.redis
      .xgroup('CREATE', this.keys.runQueue(), GROUP, '0', 'MKSTREAM')
      .then(() => undefined)
      .catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) {
          this.group = null;
          throw error;
        }
      });
    await this.group;
    try {
      return await command();
    } catch (error) {
      if (error instanceof Error && error.message.includes('NOGROUP')) this.group = null;
      throw error;
    }
  }

  private parse(json: string | undefined): RunJob | null {
    try {
      const parsed = runJobSchema.safeParse(JSON.parse(json ?? ''));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    this.logger.warn({ bytes: json?.length ?? 0 }, 'dropped a queued run that is not a valid job');
    return null;
  }
}
