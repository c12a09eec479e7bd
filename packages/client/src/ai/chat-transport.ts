import { isBusy } from '@threadcast/contract';
import type { ChatTransport, UIMessage, UIMessageChunk } from 'ai';
import type { StreamingClient } from '../streaming-client.ts';
import type { ThreadcastMessageMetadata } from './metadata.ts';
import { lastUserPrompt } from './prompt.ts';
import { runChunkStream } from './run-stream.ts';

export interface ThreadcastChatTransportOptions {
  /** From `createStreamingClient`: the transport calls `thread.get`, `run.start`, `run.cancel` and follows `thread.onEvent`. */
  client: StreamingClient;
  /** The thread this chat is: each sent message starts a run on it. */
  threadId: string;
}

/**
 * `useChat` over threadcast: a sent message starts a run on the thread (`run.start`), and its reply streams
 * from the thread's durable, resumable events, mapped to UI message chunks. The assistant message's id is the
 * run's id. `stop()` cancels the run on the server. `reconnectToStream` (`useChat({ resume: true })`) replays
 * the thread's run in progress from its start, so the app loads only finished runs as its messages
 * (`threadMessagesToUIMessages`). A run that waits for a tool approval keeps its stream open: the app answers
 * with `run.approveTool` (any tab may), and the reply goes on in the same message.
 */
export class ThreadcastChatTransport<UI_MESSAGE extends UIMessage = UIMessage<ThreadcastMessageMetadata>>
  implements ChatTransport<UI_MESSAGE>
{
  /** A resumed stream starts from the run's first event: `useChat` starts the message over at its `start`. */
  readonly resumeStreamIsReplay = true;
  private readonly client: StreamingClient;
  private readonly threadId: string;

  constructor(options: ThreadcastChatTransportOptions) {
    this.client = options.client;
    this.threadId = options.threadId;
  }

  /**
   * Starts a run with the last user message's text (for `regenerate-message` too: `useChat` has already
   * dropped the reply it regenerates) and streams it. The thread is read first and followed from its last
   * event id, so the run's first events cannot be missed however fast the worker is.
   */
  async sendMessages(options: {
    messages: UI_MESSAGE[];
    abortSignal: AbortSignal | undefined;
  }): Promise<ReadableStream<UIMessageChunk>> {
    const prompt = lastUserPrompt(options.messages);
    const { trpc } = this.client;
    const { lastEventId } = await trpc.thread.get.query({ threadId: this.threadId });
    const { runId } = await trpc.run.start.mutate({ threadId: this.threadId, prompt });
    return runChunkStream({
      client: this.client,
      threadId: this.threadId,
      runId,
      lastEventId,
      abortSignal: options.abortSignal,
      cancelOnAbort: true,
    });
  }

  /**
   * The thread's latest run, replayed from its start and then live, if it is still in progress; otherwise
   * `null`. Aborting only detaches (a superseded resume aborts too): cancel with `run.cancel` (the message id).
   */
  async reconnectToStream(options: { abortSignal?: AbortSignal }): Promise<ReadableStream<UIMessageChunk> | null> {
    const detail = await this.client.trpc.thread.get.query({ threadId: this.threadId });
    const latest = detail.messages.at(-1);
    if (!latest || !isBusy(latest.state)) return null;
    return runChunkStream({
      client: this.client,
      threadId: this.threadId,
      runId: latest.runId,
      // Without an id the thread's stream starts just before its latest run's `queued` event.
      lastEventId: null,
      abortSignal: options.abortSignal,
      cancelOnAbort: false,
    });
  }
}
