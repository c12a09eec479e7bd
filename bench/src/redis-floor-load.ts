import { THREAD_CHANNEL_PREFIX, threadChannel } from '@threadcast/bus/redis-names';
import { Redis } from 'ioredis';
import { DeliveryCheck, type ExpectedRange } from './delivery-check.ts';
import type { Load } from './load.ts';
import { LoadRecorder, type Subscriber } from './load-recorder.ts';
import type { LoadReply, StreamSpec } from './protocol.ts';

const SUBSCRIBE_BATCH = 1_000;

/**
 * The Redis floor: ONE bare ioredis subscriber on the threads' channels, reading the bus's raw
 * publications (`{"id","event"}`). No HTTP, no fan-out: a lower bound on latency for every server.
 */
export class RedisFloorLoad implements Load {
  private readonly recorder = new LoadRecorder();
  private readonly subscribers = new Map<string, Subscriber>();

  private constructor(private readonly redis: Redis) {}

  static async open(redisUrl: string, specs: StreamSpec[]): Promise<{ load: RedisFloorLoad; reply: LoadReply }> {
    const redis = new Redis(redisUrl, { connectionName: 'bench-redis-floor', maxRetriesPerRequest: 1 });
    const load = new RedisFloorLoad(redis);
    redis.on('error', (error: Error) => load.recorder.noteError(`redis: ${error.message}`));
    redis.on('message', (channel: string, message: string) => load.onMessage(channel, message));
    for (const { threadId } of specs) {
      load.subscribers.set(threadId, { threadId, check: new DeliveryCheck(), failed: false, settle: null });
    }
    const channels = [...load.subscribers.keys()].map((threadId) => threadChannel(threadId));
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH) {
      await redis.subscribe(...channels.slice(i, i + SUBSCRIBE_BATCH));
    }
    load.recorder.markOpened();
    return { load, reply: { type: 'opened', opened: load.subscribers.size, failed: 0, errorSamples: [] } };
  }

  private onMessage(channel: string, message: string): void {
    const subscriber = this.subscribers.get(channel.slice(THREAD_CHANNEL_PREFIX.length));
    if (!subscriber) return;
    try {
      const { id, event } = JSON.parse(message) as { id?: unknown; event?: { ts?: unknown } };
      this.recorder.event(subscriber, typeof id === 'string' ? id : null, event?.ts);
    } catch {
      this.recorder.fail(subscriber, 'a publication that is not JSON');
    }
  }

  settle(expected: ExpectedRange[], timeoutMs: number): Promise<boolean> {
    return this.recorder.settle([...this.subscribers.values()], expected, timeoutMs);
  }

  async finish(expected: ExpectedRange[], timeoutMs: number): Promise<LoadReply> {
    const subscribers = [...this.subscribers.values()];
    const caughtUp = await this.recorder.waitForCatchUp(subscribers, expected, timeoutMs);
    return this.recorder.finished(subscribers, expected, caughtUp);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
