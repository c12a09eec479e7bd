import { z } from 'zod';

/**
 * Where an event stands in its thread's history. `seq` increases by one per event; `epoch` names one
 * unbroken history and changes when a thread's history is lost, so positions of two epochs never compare.
 */
export interface EventPosition {
  epoch: string;
  seq: number;
}

const EVENT_ID_PATTERN = /^([a-z0-9]{1,16}):(0|[1-9][0-9]{0,15})$/;

/**
 * The SSE `id:` of an event: `<epoch>:<seq>`, e.g. `k3j9x0:42`. `<epoch>:0` stands before the first event of
 * an epoch (a `reset` notice carries it).
 */
export const eventIdSchema = z
  .string()
  .max(40)
  .regex(EVENT_ID_PATTERN, 'eventId must look like "<epoch>:<seq>", e.g. "k3j9x0:42"');

export type EventId = z.infer<typeof eventIdSchema>;

export function formatEventId(position: EventPosition): EventId {
  return `${position.epoch}:${position.seq}`;
}

export function parseEventId(id: string): EventPosition | null {
  const match = EVENT_ID_PATTERN.exec(id);
  if (!match?.[1] || !match[2]) return null;
  const seq = Number(match[2]);
  return Number.isSafeInteger(seq) ? { epoch: match[1], seq } : null;
}
