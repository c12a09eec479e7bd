import { createHash } from 'node:crypto';
import type { ThreadId, UserId } from '@threadcast/contract';

/**
 * The bus channel that carries a user's thread activity, followed like a thread: derived from the user id, so every
 * server finds it, and never a thread's own id (those are 16 random characters, with no prefix) nor another user's.
 * Its events are kept and numbered like a thread's, so `thread.onActivity` resumes from an event id.
 */
export function activityChannel(userId: UserId): ThreadId {
  return `activity_${createHash('sha256').update(userId).digest('base64url').slice(0, 32)}`;
}
