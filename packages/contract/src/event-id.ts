import { z } from 'zod';

/**
 * Where an event stands in its thread's history. `seq` increases by one per event; `epoch` names one
 * unbroken history and changes when a thread's history is lost, so positions of two epochs never compare.
 */
export interface EventPosition {
  epoch: string;
  seq: number;
  /**
   * Set on a live-only event (one that reached subscribers without being kept, e.g. published raw on a
   * thread's channel): the n-th such event after `seq`. Resuming from it resumes after `seq`.
   */
  live?: number;
}

const EVENT_ID_PATTERN = /^([a-z0-9]{1,16}):(0|[1-9][0-9]{0,15})(?:\.([1-9][0-9]{0,8}))?$/;

/**
 * The SSE `id:` of an event: `<epoch>:<seq>`, e.g. `k3j9x0:42`. `<epoch>:0` stands before the first event of
 * an epoch (a `reset` notice carries it); `<epoch>:<seq>.<n>` is the n-th live-only event after `seq`.
 */
export const eventIdSchema = z
  .string()
  .max(50)
  .regex(EVENT_ID_PATTERN, 'eventId must look like "<epoch>:<seq>", e.g. "k3j9x0:42"');

export type EventId = z.infer<typeof eventIdSchema>;

export function formatEventId(position: EventPosition): EventId {
  const base = `${position.epoch}:${position.seq}`;
  return position.live ? `${base}.${position.live}` : base;
}

export function parseEventId(id: string): EventPosition | null {
  const match = EVENT_ID_PATTERN.exec(id);
  if (!match?.[1] || !match[2]) return null;
  const seq = Number(match[2]);
  if (!Number.isSafeInteger(seq)) return null;
  return match[3] ? { epoch: match[1], seq, live: Number(match[3]) } : { epoch: match[1], seq };
}

/**
 * Whether event `id` comes at or before `lastEventId` in one thread's history (same epoch): what a client that has
 * applied `lastEventId` must ignore. Live-only events (`<seq>.<n>`) sort after their kept event and before the next.
 */
export function isAtOrBefore(lastEventId: string | null, id: string): boolean {
  if (lastEventId === null) return false;
  const last = parseEventId(lastEventId);
  const next = parseEventId(id);
  if (!last || !next || last.epoch !== next.epoch) return false;
  return next.seq < last.seq || (next.seq === last.seq && (next.live ?? 0) <= (last.live ?? 0));
}
