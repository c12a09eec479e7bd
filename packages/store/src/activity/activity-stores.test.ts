import { type EventBus, MemoryEventBus, type StoredEvent } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../memory/memory-run-store.ts';
import { MemoryThreadStore } from '../memory/memory-thread-store.ts';
import { activityChannel } from './activity-channel.ts';
import { ActivityFeed } from './activity-feed.ts';
import { withActivity } from './activity-stores.ts';

const buses: MemoryEventBus[] = [];

function stores() {
  const bus = new MemoryEventBus();
  buses.push(bus);
  const { threads, runs } = withActivity(
    { threads: new MemoryThreadStore(), runs: new MemoryRunStore() },
    new ActivityFeed(bus, silentLogger),
  );
  const activity = async (userId: string) =>
    (await bus.history(activityChannel(userId))).map((stored: StoredEvent) => {
      const { event } = stored;
      if (event.type !== 'delta' || event.content.type !== 'data-thread-activity') throw new Error('not an activity');
      const { ts, ...rest } = event.content.data as { ts: number };
      expect(ts).toBeGreaterThan(0);
      return rest;
    });
  return { bus, threads, runs, activity };
}

describe('stores with activity', () => {
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it("publish a thread's creation, renames and each run state on its owner's channel, and nobody else's", async () => {
    const { threads, runs, activity } = stores();
    const thread = await threads.create({ ownerId: 'alice', title: 'New thread' });
    await threads.rename(thread.threadId, 'Groceries');
    await threads.rename('no-such-thread', 'ghost');
    await runs.create({ runId: 'r1', threadId: thread.threadId, ownerId: 'alice', prompt: 'milk?' });
    await runs.transition('r1', 'running');
    await runs.transition('r1', 'cancelled', { reason: 'cancelled by the user' });
    // Refused transitions tell nothing.
    await runs.transition('r1', 'done');
    const { threadId } = thread;
    expect(await activity('alice')).toEqual([
      { kind: 'created', threadId, title: 'New thread', createdAt: thread.createdAt },
      { kind: 'renamed', threadId, title: 'Groceries' },
      { kind: 'run', threadId, runId: 'r1', state: 'queued' },
      { kind: 'run', threadId, runId: 'r1', state: 'running' },
      { kind: 'run', threadId, runId: 'r1', state: 'cancelled', reason: 'cancelled by the user' },
    ]);
    expect(await activity('bob')).toEqual([]);
  });

  it('keeps the change when the activity cannot be published, and says so in the log', async () => {
    const warnings: string[] = [];
    // A bus whose publish fails, as Redis's does while it is unreachable.
    const bus = { publish: () => Promise.reject(new Error('redis is unreachable')) } as unknown as EventBus;
    const logger = { ...silentLogger, warn: (_obj: object, msg: string) => warnings.push(msg) };
    const { threads } = withActivity(
      { threads: new MemoryThreadStore(), runs: new MemoryRunStore() },
      new ActivityFeed(bus, logger),
    );
    const thread = await threads.create({ ownerId: 'alice', title: 'kept' });
    expect(await threads.get(thread.threadId)).toEqual(thread);
    expect(warnings).toEqual(['thread activity not published']);
  });

  it('names a channel per user that is a valid thread id and never a thread id of the store', () => {
    const channel = activityChannel('a'.repeat(64));
    expect(channel).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(activityChannel('alice')).not.toBe(activityChannel('bob'));
    expect(activityChannel('alice')).toBe(activityChannel('alice'));
    expect(channel).not.toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});
