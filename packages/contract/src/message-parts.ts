import { z } from 'zod';
import { type DeltaPart, dataPartNameSchema, toolNameSchema } from './parts.ts';

/**
 * A run's message as parts, the way a screen shows it: what `delta` and `token` events add up to. The same
 * fold (`applyMessageEvent`) runs on the server for `thread.get` and in every client, so a message rendered
 * from `thread.get` and continued live is the message a viewer who saw every event has.
 */

export const toolStates = [
  'input-streaming',
  'input-available',
  'approval-requested',
  'approval-responded',
  'output-available',
  'output-error',
  'output-denied',
] as const;
export const toolStateSchema = z.enum(toolStates);
export type ToolState = z.infer<typeof toolStateSchema>;

export const textMessagePartSchema = z.object({ type: z.literal('text'), text: z.string() });
export const reasoningMessagePartSchema = z.object({
  type: z.literal('reasoning'),
  id: z.string(),
  text: z.string(),
  state: z.enum(['streaming', 'done']),
  /** When the block started and ended (ms, from the events' `ts`): its duration. */
  startedAt: z.number(),
  endedAt: z.number().optional(),
});
export const toolMessagePartSchema = z.object({
  type: z.literal('tool'),
  toolCallId: z.string(),
  toolName: toolNameSchema,
  state: toolStateSchema,
  /** The arguments as streamed so far (JSON text). */
  inputText: z.string(),
  input: z.json().optional(),
  output: z.json().optional(),
  errorText: z.string().optional(),
  approval: z.object({ id: z.string(), approved: z.boolean().optional(), reason: z.string().optional() }).optional(),
});
export const stepMessagePartSchema = z.object({
  type: z.literal('step-start'),
  /** 1 for the run's first model call. */
  index: z.number().int().positive(),
  state: z.enum(['streaming', 'done']),
});
export const sourceMessagePartSchema = z.object({
  type: z.literal('source-url'),
  sourceId: z.string(),
  url: z.string(),
  title: z.string().optional(),
});
export const dataMessagePartSchema = z.object({
  type: z.literal('data'),
  name: dataPartNameSchema,
  id: z.string().optional(),
  data: z.json(),
});

export const messagePartSchema = z.discriminatedUnion('type', [
  textMessagePartSchema,
  reasoningMessagePartSchema,
  toolMessagePartSchema,
  stepMessagePartSchema,
  sourceMessagePartSchema,
  dataMessagePartSchema,
]);
export type MessagePart = z.infer<typeof messagePartSchema>;
export type TextMessagePart = z.infer<typeof textMessagePartSchema>;
export type ReasoningMessagePart = z.infer<typeof reasoningMessagePartSchema>;
export type ToolMessagePart = z.infer<typeof toolMessagePartSchema>;
export type StepMessagePart = z.infer<typeof stepMessagePartSchema>;
export type SourceMessagePart = z.infer<typeof sourceMessagePartSchema>;
export type DataMessagePart = z.infer<typeof dataMessagePartSchema>;

/** What `applyMessageEvent` reads of an event: a token's text or a delta's part, with its time. */
export type MessageEvent =
  | { type: 'token'; content: string; ts: number }
  | { type: 'delta'; content: DeltaPart; ts: number };

/**
 * The parts after one more event. Pure and copy-on-write (only the part that changed is new), so a client
 * can render each state. A token extends the last text part, or starts one after any other part. A part whose
 * start was not seen (history trimmed past it) is started where it shows up, never dropped.
 */
export function applyMessageEvent(parts: readonly MessagePart[], event: MessageEvent): MessagePart[] {
  if (event.type === 'token') {
    const last = parts.at(-1);
    if (last?.type === 'text') return replaceAt(parts, parts.length - 1, { ...last, text: last.text + event.content });
    return [...parts, { type: 'text', text: event.content }];
  }
  const part = event.content;
  switch (part.type) {
    case 'reasoning-start':
      return [...parts, { type: 'reasoning', id: part.id, text: '', state: 'streaming', startedAt: event.ts }];
    case 'reasoning-delta':
      return updateReasoning(parts, part.id, event.ts, (r) => ({ ...r, text: r.text + part.delta }));
    case 'reasoning-end':
      return updateReasoning(parts, part.id, event.ts, (r) => ({ ...r, state: 'done', endedAt: event.ts }));
    case 'tool-input-start':
      return updateTool(parts, part.toolCallId, part.toolName, (t) => t);
    case 'tool-input-delta':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({
        ...t,
        inputText: t.inputText + part.inputTextDelta,
      }));
    case 'tool-input-available':
      return updateTool(parts, part.toolCallId, part.toolName, (t) => ({
        ...t,
        state: 'input-available',
        input: part.input,
        inputText: t.inputText || JSON.stringify(part.input),
      }));
    case 'tool-input-error':
      return updateTool(parts, part.toolCallId, part.toolName, (t) => ({
        ...t,
        state: 'output-error',
        input: part.input,
        errorText: part.errorText,
      }));
    case 'tool-approval-request':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({
        ...t,
        state: 'approval-requested',
        approval: { id: part.approvalId },
      }));
    case 'tool-approval-response':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({
        ...t,
        state: 'approval-responded',
        approval: {
          id: part.approvalId,
          approved: part.approved,
          ...(part.reason === undefined ? {} : { reason: part.reason }),
        },
      }));
    case 'tool-output-available':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({
        ...t,
        state: 'output-available',
        output: part.output,
      }));
    case 'tool-output-error':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({
        ...t,
        state: 'output-error',
        errorText: part.errorText,
      }));
    case 'tool-output-denied':
      return updateTool(parts, part.toolCallId, undefined, (t) => ({ ...t, state: 'output-denied' }));
    case 'start-step': {
      const index = parts.reduce((n, p) => (p.type === 'step-start' ? n + 1 : n), 0) + 1;
      return [...parts, { type: 'step-start', index, state: 'streaming' }];
    }
    case 'finish-step': {
      const at = findLastIndex(parts, (p) => p.type === 'step-start');
      const step = parts[at];
      return step?.type === 'step-start' ? replaceAt(parts, at, { ...step, state: 'done' }) : [...parts];
    }
    case 'source-url':
      return [
        ...parts,
        {
          type: 'source-url',
          sourceId: part.sourceId,
          url: part.url,
          ...(part.title === undefined ? {} : { title: part.title }),
        },
      ];
    default: {
      const name = part.type.slice('data-'.length);
      const data: DataMessagePart = {
        type: 'data',
        name,
        ...(part.id === undefined ? {} : { id: part.id }),
        data: part.data,
      };
      // Like the AI SDK: a data part with the id of an earlier one of its name replaces it.
      const at =
        part.id === undefined
          ? -1
          : findLastIndex(parts, (p) => p.type === 'data' && p.name === name && p.id === part.id);
      return at < 0 ? [...parts, data] : replaceAt(parts, at, data);
    }
  }
}

/** The parts that a sequence of events adds up to. */
export function foldMessageEvents(events: Iterable<MessageEvent>, from: readonly MessagePart[] = []): MessagePart[] {
  let parts = [...from];
  for (const event of events) parts = applyMessageEvent(parts, event);
  return parts;
}

/** The message's text: its text parts, joined. */
export function messageText(parts: readonly MessagePart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

function updateReasoning(
  parts: readonly MessagePart[],
  id: string,
  ts: number,
  change: (part: ReasoningMessagePart) => ReasoningMessagePart,
): MessagePart[] {
  const at = findLastIndex(parts, (p) => p.type === 'reasoning' && p.id === id);
  const found = parts[at];
  if (found?.type === 'reasoning') return replaceAt(parts, at, change(found));
  return [...parts, change({ type: 'reasoning', id, text: '', state: 'streaming', startedAt: ts })];
}

function updateTool(
  parts: readonly MessagePart[],
  toolCallId: string,
  toolName: string | undefined,
  change: (part: ToolMessagePart) => ToolMessagePart,
): MessagePart[] {
  const at = findLastIndex(parts, (p) => p.type === 'tool' && p.toolCallId === toolCallId);
  const found = parts[at];
  if (found?.type === 'tool') return replaceAt(parts, at, change(found));
  const started: ToolMessagePart = {
    type: 'tool',
    toolCallId,
    toolName: toolName ?? 'unknown',
    state: 'input-streaming',
    inputText: '',
  };
  return [...parts, change(started)];
}

function replaceAt(parts: readonly MessagePart[], at: number, part: MessagePart): MessagePart[] {
  const next = [...parts];
  next[at] = part;
  return next;
}

function findLastIndex(parts: readonly MessagePart[], test: (part: MessagePart) => boolean): number {
  for (let i = parts.length - 1; i >= 0; i -= 1) if (test(parts[i] as MessagePart)) return i;
  return -1;
}
