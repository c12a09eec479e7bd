import type { StreamSpec } from './protocol.ts';
import { callMutation } from './trpc-call.ts';

const CREATE_CONCURRENCY = 32;

/**
 * The threads every step streams, created once through our server by one dev-login user, and the last
 * id published on each. Every variant streams the same thread ids (the baselines do not check ownership);
 * a stream resumes after the thread's last id, so it never starts in the middle of a step.
 */
export class BenchThreads {
  private readonly lastIds = new Map<string, string>();

  private constructor(
    readonly token: string,
    readonly ids: readonly string[],
  ) {}

  static async create(serverUrl: string, count: number): Promise<BenchThreads> {
    const { token } = await callMutation<{ token: string }>(serverUrl, 'auth.devLogin', { name: 'bench' });
    const ids: string[] = [];
    let created = 0;
    const worker = async () => {
      while (created < count) {
        created += 1;
        const { threadId } = await callMutation<{ threadId: string }>(serverUrl, 'thread.create', {}, token);
        ids.push(threadId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CREATE_CONCURRENCY, count) }, worker));
    return new BenchThreads(token, ids);
  }

  /** The first `count` threads. */
  take(count: number): string[] {
    if (count > this.ids.length) throw new RangeError(`${count} threads wanted, ${this.ids.length} created`);
    return this.ids.slice(0, count);
  }

  spec(threadId: string): StreamSpec {
    return { threadId, lastEventId: this.lastIds.get(threadId) ?? null };
  }

  recordLastId(threadId: string, id: string): void {
    this.lastIds.set(threadId, id);
  }
}
