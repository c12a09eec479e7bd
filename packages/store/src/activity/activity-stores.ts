import type { RunId, RunState, ThreadId, UserId } from '@threadcast/contract';
import type { RunEndPatch, RunRecord, RunStore } from '../run-store.ts';
import type { ThreadRecord, ThreadStore } from '../thread-store.ts';
import type { ActivityFeed } from './activity-feed.ts';

/** A thread store that tells the owner's activity feed of every thread created or renamed. */
export class ActivityThreadStore implements ThreadStore {
  constructor(
    private readonly inner: ThreadStore,
    private readonly feed: ActivityFeed,
  ) {}

  async create(input: { ownerId: UserId; title: string }): Promise<ThreadRecord> {
    const record = await this.inner.create(input);
    const { threadId, title, createdAt } = record;
    await this.feed.publish(record.ownerId, { kind: 'created', threadId, title, createdAt, ts: Date.now() });
    return record;
  }

  get(threadId: ThreadId): Promise<ThreadRecord | null> {
    return this.inner.get(threadId);
  }

  listByOwner(ownerId: UserId, options?: { limit?: number }): Promise<ThreadRecord[]> {
    return this.inner.listByOwner(ownerId, options);
  }

  async rename(threadId: ThreadId, title: string): Promise<ThreadRecord | null> {
    const record = await this.inner.rename(threadId, title);
    if (record)
      await this.feed.publish(record.ownerId, { kind: 'renamed', threadId, title: record.title, ts: Date.now() });
    return record;
  }
}

/** A run store that tells the owner's activity feed of every run queued, and of each state it moves to. */
export class ActivityRunStore implements RunStore {
  constructor(
    private readonly inner: RunStore,
    private readonly feed: ActivityFeed,
  ) {}

  async create(input: Pick<RunRecord, 'runId' | 'threadId' | 'ownerId' | 'prompt'>): Promise<RunRecord> {
    const record = await this.inner.create(input);
    await this.published(record);
    return record;
  }

  get(runId: RunId): Promise<RunRecord | null> {
    return this.inner.get(runId);
  }

  listByThread(threadId: ThreadId, options?: { limit?: number }): Promise<RunRecord[]> {
    return this.inner.listByThread(threadId, options);
  }

  async transition(runId: RunId, to: RunState, patch?: RunEndPatch): Promise<RunRecord | null> {
    const record = await this.inner.transition(runId, to, patch);
    if (record) await this.published(record);
    return record;
  }

  countByState(): Promise<Record<RunState, number>> {
    return this.inner.countByState();
  }

  private published({ ownerId, threadId, runId, state, reason }: RunRecord): Promise<void> {
    const activity = { kind: 'run' as const, threadId, runId, state, ts: Date.now() };
    return this.feed.publish(ownerId, reason === undefined ? activity : { ...activity, reason });
  }
}

/** The stores of a process, each telling the owner's activity feed what changed. */
export function withActivity<T extends { threads: ThreadStore; runs: RunStore }>(stores: T, feed: ActivityFeed): T {
  return {
    ...stores,
    threads: new ActivityThreadStore(stores.threads, feed),
    runs: new ActivityRunStore(stores.runs, feed),
  };
}
