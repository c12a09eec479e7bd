import type { Logger } from '@threadcast/bus';
import type { Redis } from 'ioredis';
import { type RunJob, type RunQueue, runJobSchema } from '../run-queue.ts';
import type { StoreKeys } from './keys.ts';

/** How long one blocking pop waits before it looks at the abort signal again. */
const POLL_SECONDS = 1;

/**
 * A Redis list as a FIFO queue. Taking blocks on its own connection, so it never delays other commands.
 * A job popped after the taker aborted is pushed back to the head, never dropped.
 */
export class RedisRunQueue implements RunQueue {
  private blocking: Redis | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly logger: Logger,
  ) {}

  async enqueue(job: RunJob): Promise<void> {
    await this.redis.lpush(this.keys.runQueue(), JSON.stringify(job));
  }

  async take(signal: AbortSignal): Promise<RunJob | null> {
    this.blocking ??= this.redis.duplicate({ connectionName: 'threadcast-run-queue' });
    while (!signal.aborted) {
      const popped = await this.blocking.brpop(this.keys.runQueue(), POLL_SECONDS);
      if (!popped) continue;
      const [, json] = popped;
      if (signal.aborted) {
        await this.redis.rpush(this.keys.runQueue(), json);
        return null;
      }
      const job = this.parse(json);
      if (job) return job;
    }
    return null;
  }

  async close(): Promise<void> {
    await this.blocking?.quit().catch(() => undefined);
  }

  private parse(json: string): RunJob | null {
    try {
      const parsed = runJobSchema.safeParse(JSON.parse(json));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    this.logger.warn({ bytes: json.length }, 'dropped a queued run that is not a valid job');
    return null;
  }
}
