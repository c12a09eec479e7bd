import type { ThreadId, UserId } from '@threadcast/contract';
import { newThreadRecord, type ThreadRecord, type ThreadStore } from '../thread-store.ts';

export class MemoryThreadStore implements ThreadStore {
  private readonly threads = new Map<ThreadId, ThreadRecord>();
  private readonly byOwner = new Map<UserId, ThreadRecord[]>();

  async create(input: { ownerId: UserId; title: string }): Promise<ThreadRecord> {
    const record = newThreadRecord(input);
    this.threads.set(record.threadId, record);
    const owned = this.byOwner.get(input.ownerId) ?? [];
    owned.push(record);
    this.byOwner.set(input.ownerId, owned);
    return { ...record };
  }

  async get(threadId: ThreadId): Promise<ThreadRecord | null> {
    const record = this.threads.get(threadId);
    return record ? { ...record } : null;
  }

  async rename(threadId: ThreadId, title: string): Promise<ThreadRecord | null> {
    const record = this.threads.get(threadId);
    if (!record) return null;
    // The owner's list holds the same record.
    record.title = title;
    return { ...record };
  }

  async listByOwner(ownerId: UserId, options: { limit?: number } = {}): Promise<ThreadRecord[]> {
    const owned = this.byOwner.get(ownerId) ?? [];
    return owned
      .slice(-(options.limit ?? 100))
      .reverse()
      .map((record) => ({ ...record }));
  }
}
