import { type StreamEvent, streamEventSchema } from '@threadcast/contract';
import { z } from 'zod';
import { EventTooLargeError, InvalidEventError } from './errors.ts';

/** Events up to this size (bytes of JSON) are accepted by default: a long reply's `done` text fits. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** The event as the contract has it, and its JSON; refuses an event that breaks the contract or the size limit. */
export function encodeEvent(event: StreamEvent, maxBytes: number): { event: StreamEvent; json: string } {
  const parsed = streamEventSchema.safeParse(event);
  if (!parsed.success) throw new InvalidEventError(`invalid event: ${z.prettifyError(parsed.error)}`);
  const json = JSON.stringify(parsed.data);
  const bytes = Buffer.byteLength(json);
  if (bytes > maxBytes) throw new EventTooLargeError(bytes, maxBytes);
  return { event: parsed.data, json };
}

/**
 * The limit for one publish. A producer's final event is exempt: a run's `done` carries the whole reply,
 * whose tokens each passed the limit, and refusing it would leave the run without an end.
 */
export function sizeLimit(maxBytes: number, options: { idempotency?: { final?: boolean } }): number {
  return options.idempotency?.final ? Number.POSITIVE_INFINITY : maxBytes;
}
