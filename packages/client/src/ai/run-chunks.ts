import { type DeltaPart, isAtOrBefore, type StreamEvent } from '@threadcast/contract';
import type { UIMessageChunk } from 'ai';
import type { ThreadcastMessageMetadata } from './metadata.ts';

/**
 * Turns one run's events into the AI SDK's UI message chunks. Text arrives as `token` events and leaves as
 * text blocks (`text-start`, `text-delta`…, `text-end`) split around every other part, with ids
 * `<runId>-t<n>`; a `delta` is the chunk of the same name. Idempotent per event id: an event at or before the
 * last one mapped (a resend after a reconnect) maps to nothing, and so does an event of another run. The run's
 * end (`done`, `error`, `status` `cancelled`) ends the mapping: `ended` is then true and nothing more maps.
 */
export class RunChunkMapper {
  ended = false;
  private lastEventId: string | null = null;
  private openText: string | null = null;
  private textBlocks = 0;

  constructor(readonly runId: string) {}

  /** The first chunk of the run's message, whose id is the run's. */
  start(): UIMessageChunk[] {
    return [{ type: 'start', messageId: this.runId }];
  }

  /** The chunks that the thread's event `id` adds to the run's message. */
  map(id: string, event: StreamEvent): UIMessageChunk[] {
    if (this.ended || isAtOrBefore(this.lastEventId, id)) return [];
    this.lastEventId = id;
    if (event.type === 'status' && event.content.state === 'reset') {
      // What was sent cannot be taken back, and a replay from retained history would double it.
      return this.end([
        {
          type: 'error',
          errorText: `the thread's history was reset (${event.content.reason}): reload the thread to see this reply`,
        },
      ]);
    }
    if (event.runId !== this.runId) return [];
    switch (event.type) {
      case 'token': {
        if (this.openText !== null) return [{ type: 'text-delta', id: this.openText, delta: event.content }];
        this.textBlocks += 1;
        this.openText = `${this.runId}-t${this.textBlocks}`;
        return [
          { type: 'text-start', id: this.openText },
          { type: 'text-delta', id: this.openText, delta: event.content },
        ];
      }
      case 'delta':
        return [...this.closeText(), partChunk(event.content)];
      case 'status': {
        const { content } = event;
        if (content.state !== 'cancelled') return [];
        const reason = content.reason ?? 'the run was cancelled';
        return this.end([metadataChunk({ runState: 'cancelled', reason }), { type: 'abort', reason }]);
      }
      case 'done': {
        const { usage, model, finishReason } = event.content;
        const messageMetadata: ThreadcastMessageMetadata = {
          runState: 'done',
          ...(usage === undefined ? {} : { usage }),
          ...(model === undefined ? {} : { model }),
        };
        return this.end([{ type: 'finish', ...(finishReason === undefined ? {} : { finishReason }), messageMetadata }]);
      }
      case 'error':
        return this.end([
          metadataChunk({ runState: 'error', reason: event.content.message }),
          { type: 'error', errorText: event.content.message },
        ]);
    }
  }

  /** Ends the mapping from this side (the reader stopped the run): the open text block, then `abort`. */
  abort(reason: string): UIMessageChunk[] {
    if (this.ended) return [];
    return this.end([{ type: 'abort', reason }]);
  }

  private end(chunks: UIMessageChunk[]): UIMessageChunk[] {
    this.ended = true;
    return [...this.closeText(), ...chunks];
  }

  private closeText(): UIMessageChunk[] {
    if (this.openText === null) return [];
    const id = this.openText;
    this.openText = null;
    return [{ type: 'text-end', id }];
  }
}

function metadataChunk(messageMetadata: ThreadcastMessageMetadata): UIMessageChunk {
  return { type: 'message-metadata', messageMetadata };
}

/** A `delta` part as its chunk: the same name and fields, by design (`packages/contract/src/parts.ts`). */
function partChunk(part: DeltaPart): UIMessageChunk {
  if (part.type === 'tool-approval-response') {
    // The AI SDK finds the call by its approval id.
    const { toolCallId: _toolCallId, ...chunk } = part;
    return chunk;
  }
  return part;
}
