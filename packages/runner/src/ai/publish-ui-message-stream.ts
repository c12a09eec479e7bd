import type { Logger } from '@threadcast/common';
import {
  type DeltaPart,
  deltaPartSchema,
  type FinishReason,
  finishReasons,
  type Usage,
  usageSchema,
} from '@threadcast/contract';
import type { UIMessageChunk } from 'ai';
import type { RunPublisher } from '../run-publisher.ts';
import type { RunTranscript } from '../run-transcript.ts';
import { partToolName } from '../tool-call.ts';

/** How a UI message stream ended, besides the events it published. */
export interface UIMessageStreamEnd {
  /** From `finish`; an AI SDK reason threadcast has no word for (`interrupted`) is `other`. */
  finishReason?: FinishReason;
  /** From `finish`'s `messageMetadata` (`{ usage, model }`), when the backend put them there. */
  usage?: Usage;
  model?: string;
  /** Set when the stream sent `error` or `abort`, or ended without `finish`: the run fails with it. */
  errorText?: string;
}

export interface PublishUIMessageStreamDeps {
  transcript: RunTranscript;
  publisher: RunPublisher;
  logger: Logger;
}

/**
 * Publishes an AI SDK UI message stream (`streamText(…).toUIMessageStream()`) as a run's events: `text-delta` as
 * `token`s, reasoning, tool, step, source and data chunks as the `delta` parts of the same name, until
 * `finish`, `error` or `abort`. Chunks with no place in a run's message (`start`, `text-start`/`text-end`,
 * `message-metadata`, files, transient data, …) are left out; a part the contract refuses is dropped with a
 * warning rather than failing the run. Throws the publisher's failure (the run was cancelled:
 * `ProducerEndedError`) after cancelling the stream, which aborts the backend's generation.
 */
export async function publishUIMessageStream(
  stream: ReadableStream<UIMessageChunk>,
  deps: PublishUIMessageStreamDeps,
): Promise<UIMessageStreamEnd> {
  const { transcript, publisher, logger } = deps;
  const callByApproval = new Map<string, string>();
  const reader = stream.getReader();
  const delta = (part: unknown) => {
    const parsed = deltaPartSchema.safeParse(part);
    if (parsed.success) transcript.delta(parsed.data);
    else logger.warn({ issues: parsed.error.issues }, 'dropped a UI message chunk the contract does not accept');
  };
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return { errorText: 'the UI message stream ended without finish' };
      switch (chunk.type) {
        case 'text-delta':
          transcript.token(chunk.delta);
          break;
        case 'reasoning-start':
        case 'reasoning-end':
          delta({ type: chunk.type, id: chunk.id });
          break;
        case 'reasoning-delta':
          delta({ type: chunk.type, id: chunk.id, delta: chunk.delta });
          break;
        case 'tool-input-start':
          delta({ type: chunk.type, toolCallId: chunk.toolCallId, toolName: partToolName(chunk.toolName) });
          break;
        case 'tool-input-delta':
          delta({ type: chunk.type, toolCallId: chunk.toolCallId, inputTextDelta: chunk.inputTextDelta });
          break;
        case 'tool-input-available':
          delta({ ...toolCall(chunk), input: json(chunk.input) });
          break;
        case 'tool-input-error':
          delta({ ...toolCall(chunk), input: json(chunk.input), errorText: chunk.errorText });
          break;
        case 'tool-approval-request':
          callByApproval.set(chunk.approvalId, chunk.toolCallId);
          delta({ type: chunk.type, toolCallId: chunk.toolCallId, approvalId: chunk.approvalId });
          break;
        case 'tool-approval-response': {
          const toolCallId = callByApproval.get(chunk.approvalId);
          if (toolCallId === undefined) {
            logger.warn({ approvalId: chunk.approvalId }, 'dropped an approval response to no request of this run');
            break;
          }
          const { type, approvalId, approved, reason } = chunk;
          delta({ type, toolCallId, approvalId, approved, ...(reason === undefined ? {} : { reason }) });
          break;
        }
        case 'tool-output-available':
          delta({ type: chunk.type, toolCallId: chunk.toolCallId, output: json(chunk.output) });
          break;
        case 'tool-output-error':
          delta({ type: chunk.type, toolCallId: chunk.toolCallId, errorText: chunk.errorText });
          break;
        case 'tool-output-denied':
        case 'start-step':
        case 'finish-step':
          delta(chunk satisfies DeltaPart);
          break;
        case 'source-url': {
          const { type, sourceId, url, title } = chunk;
          delta({ type, sourceId, url, ...(title === undefined ? {} : { title }) });
          break;
        }
        case 'finish':
          return finish(chunk.finishReason, chunk.messageMetadata);
        case 'error':
          return { errorText: chunk.errorText };
        case 'abort':
          return { errorText: `the UI message stream was aborted${chunk.reason ? `: ${chunk.reason}` : ''}` };
        default:
          if (chunk.type.startsWith('data-') && 'data' in chunk && !chunk.transient) {
            delta({ type: chunk.type, ...(chunk.id === undefined ? {} : { id: chunk.id }), data: json(chunk.data) });
          }
      }
      await publisher.waitForRoom();
    }
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
}

function toolCall<T extends { type: string; toolCallId: string; toolName: string }>(chunk: T) {
  return { type: chunk.type, toolCallId: chunk.toolCallId, toolName: partToolName(chunk.toolName) };
}

/** A value as JSON would carry it (`undefined` as `null`), since an event is JSON. */
function json(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function finish(reason: string | undefined, metadata: unknown): UIMessageStreamEnd {
  const end: UIMessageStreamEnd = {};
  if (reason !== undefined) {
    end.finishReason = (finishReasons as readonly string[]).includes(reason) ? (reason as FinishReason) : 'other';
  }
  if (typeof metadata === 'object' && metadata !== null) {
    const { usage, model } = metadata as { usage?: unknown; model?: unknown };
    const parsed = usageSchema.safeParse(usage);
    if (parsed.success) end.usage = { inputTokens: parsed.data.inputTokens, outputTokens: parsed.data.outputTokens };
    if (typeof model === 'string') end.model = model;
  }
  return end;
}
