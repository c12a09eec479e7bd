import { DOM_HOOKS, type MessagePart, type RunState } from '@threadcast/contract';
import type { ChatMessage } from './chat-message.ts';
import type { ConnectionState } from './connection.ts';

/** Attributes to spread on an element, as React takes them (`undefined` leaves one out). */
export type DataAttributes = Readonly<Record<`data-${string}`, string | undefined>>;

/**
 * The documented test hooks (`DOM_HOOKS`) of the element that shows `message`'s reply: spread them on it,
 * `<article {...runAttributes(message, threadId)}>`. `@threadcast/playwright` finds runs by them.
 */
export function runAttributes(
  message: Pick<ChatMessage, 'runId' | 'state' | 'complete'> | undefined,
  threadId: string,
): DataAttributes {
  return {
    [DOM_HOOKS.run]: message?.runId ?? undefined,
    [DOM_HOOKS.thread]: threadId,
    [DOM_HOOKS.runState]: message?.state satisfies RunState | undefined,
    [DOM_HOOKS.complete]: message?.complete == null ? undefined : String(message.complete),
  };
}

/** The test hooks of the element that shows one part of a reply (a step divider needs none). */
export function partAttributes(part: MessagePart): DataAttributes {
  return {
    [DOM_HOOKS.part]: part.type,
    [DOM_HOOKS.toolState]: part.type === 'tool' ? part.state : undefined,
  };
}

/** The test hook of the element that shows the live stream's connection. */
export function connectionAttributes(connection: ConnectionState): DataAttributes {
  return { [DOM_HOOKS.connection]: connection };
}
