import type { ThreadId, UserId } from '@threadcast/contract';
import { newId } from './ids.ts';

export interface ThreadRecord {
  threadId: ThreadId;
  ownerId: UserId;
  title: string;
  createdAt: number;
}

/** Threads and who owns them. */
export interface ThreadStore {
  create(input: { ownerId: UserId; title: string }): Promise<ThreadRecord>;
  get(threadId: ThreadId): Promise<ThreadRecord | null>;
  /** The owner's threads, newest first (at most `limit`, default 100). */
  listByOwner(ownerId: UserId, options?: { limit?: number }): Promise<ThreadRecord[]>;
  /** Gives the thread a new title; `null` when there is no such thread. */
  rename(threadId: ThreadId, title: string): Promise<ThreadRecord | null>;
}

/** A new thread of `ownerId`, with a fresh id, created now. */
export function newThreadRecord(input: { ownerId: UserId; title: string }): ThreadRecord {
  return { threadId: newId(), ownerId: input.ownerId, title: input.title, createdAt: Date.now() };
}
