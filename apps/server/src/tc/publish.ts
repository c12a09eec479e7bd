import { type StreamEvent, streamEventSchema, streamEventTypes, type ThreadId } from '@threadcast/contract';
import { z } from 'zod';
import { UsageError } from './usage-error.ts';

/**
 * The event `tc publish` sends: a `token`'s content is the text as given; every other type's content is
 * JSON (`status` `{"state":"running","runId":"r1"}`, `delta` `{...}`, `done`, `error` `{"message":"..."}`).
 */
export function testEvent(threadId: ThreadId, type: string, content: string, runId?: string): StreamEvent {
  if (!(streamEventTypes as readonly string[]).includes(type)) {
    throw new UsageError(`unknown event type "${type}": one of ${streamEventTypes.join(', ')}`);
  }
  let parsedContent: unknown = content;
  if (type !== 'token') {
    try {
      parsedContent = JSON.parse(content);
    } catch {
      throw new UsageError(`the content of a ${type} event is JSON, e.g. ${EXAMPLES[type] ?? '{}'}`);
    }
  }
  const event = { type, threadId, ts: Date.now(), content: parsedContent, ...(runId ? { runId } : {}) };
  const parsed = streamEventSchema.safeParse(event);
  if (!parsed.success) throw new UsageError(`not a valid ${type} event:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const EXAMPLES: Record<string, string> = {
  status: `'{"state":"running","runId":"r1"}'`,
  delta: `'{"step":"search"}'`,
  done: `'{"runId":"r1","text":"hello","tokenCount":1}'`,
  error: `'{"message":"it failed"}'`,
};
