import {
  applyMessageEvent,
  type DeltaPart,
  type MessagePart,
  type RunId,
  type RunState,
  type StreamEvent,
  type ThreadId,
} from '@threadcast/contract';
import type { RunPublisher } from './run-publisher.ts';

/** What a run has published so far, as a resumed run takes it over. */
export interface TranscriptSoFar {
  text: string;
  tokenCount: number;
  deltaCount: number;
  parts: MessagePart[];
}

/**
 * Publishes a run's events and keeps what they add up to: the text and its token count, the number of
 * deltas, and the message parts (the fold a viewer runs, for `thread.get` once the run has ended). A token
 * costs a string append: the text it adds reaches the parts as one piece at the next delta or read.
 */
export class RunTranscript {
  text: string;
  tokenCount: number;
  deltaCount: number;
  private folded: MessagePart[];
  private unfoldedText = '';

  constructor(
    private readonly publisher: RunPublisher,
    private readonly threadId: ThreadId,
    private readonly runId: RunId,
    from: TranscriptSoFar = { text: '', tokenCount: 0, deltaCount: 0, parts: [] },
  ) {
    this.text = from.text;
    this.tokenCount = from.tokenCount;
    this.deltaCount = from.deltaCount;
    this.folded = from.parts;
  }

  token(content: string): void {
    this.publisher.push({ type: 'token', content, threadId: this.threadId, runId: this.runId, ts: Date.now() });
    this.text += content;
    this.tokenCount += 1;
    this.unfoldedText += content;
  }

  delta(part: DeltaPart): void {
    const event = { type: 'delta', content: part, threadId: this.threadId, runId: this.runId, ts: Date.now() } as const;
    this.publisher.push(event);
    this.deltaCount += 1;
    this.foldText();
    this.folded = applyMessageEvent(this.folded, event);
  }

  status(state: Extract<RunState, 'running' | 'waiting'>): void {
    const event: StreamEvent = {
      type: 'status',
      content: { state, runId: this.runId },
      threadId: this.threadId,
      runId: this.runId,
      ts: Date.now(),
    };
    this.publisher.push(event);
  }

  get parts(): MessagePart[] {
    this.foldText();
    return this.folded;
  }

  soFar(): TranscriptSoFar {
    return { text: this.text, tokenCount: this.tokenCount, deltaCount: this.deltaCount, parts: this.parts };
  }

  private foldText(): void {
    if (this.unfoldedText === '') return;
    this.folded = applyMessageEvent(this.folded, { type: 'token', content: this.unfoldedText, ts: Date.now() });
    this.unfoldedText = '';
  }
}
