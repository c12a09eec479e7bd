import type { UIMessageChunk } from 'ai';
import type { StreamingClient } from '../streaming-client.ts';
import { RunChunkMapper } from './run-chunks.ts';

export interface RunStreamOptions {
  client: StreamingClient;
  threadId: string;
  runId: string;
  /** Follow the thread after this event; `null` starts at the thread's latest run (its `queued` event). */
  lastEventId: string | null;
  /** The reader's stop: detaches the stream, and also cancels the run when `cancelOnAbort` is set. */
  abortSignal?: AbortSignal;
  cancelOnAbort: boolean;
}

/**
 * One run's message as a stream of UI message chunks: `start`, then what the run's events map to, until its
 * end. The subscription (and its reconnects, which resume after the last event id) ends with the stream.
 * Aborting with `cancelOnAbort` cancels the run on the server (`run.cancel`) before the stream ends with `abort`.
 */
export function runChunkStream(options: RunStreamOptions): ReadableStream<UIMessageChunk> {
  const { client, threadId, runId, abortSignal } = options;
  const mapper = new RunChunkMapper(runId);
  const subscription = new AbortController();
  let closed = false;

  return new ReadableStream<UIMessageChunk>({
    start(controller) {
      const push = (chunks: UIMessageChunk[]) => {
        if (closed) return;
        for (const chunk of chunks) controller.enqueue(chunk);
        if (mapper.ended) close();
      };
      const close = () => {
        if (closed) return;
        closed = true;
        subscription.abort();
        abortSignal?.removeEventListener('abort', onAbort);
        controller.close();
      };
      const fail = (error: unknown) => {
        if (closed) return;
        closed = true;
        subscription.abort();
        abortSignal?.removeEventListener('abort', onAbort);
        controller.error(error);
      };
      const onAbort = () => {
        subscription.abort();
        if (!options.cancelOnAbort) return push(mapper.abort('stopped by the reader'));
        client.trpc.run.cancel
          .mutate({ runId })
          .then(
            ({ state }) =>
              push(mapper.abort(state === 'cancelled' ? 'cancelled by the reader' : `the run had ended ${state}`)),
            fail,
          );
      };

      push(mapper.start());
      if (abortSignal?.aborted) return onAbort();
      abortSignal?.addEventListener('abort', onAbort, { once: true });
      void (async () => {
        try {
          for await (const { id, event } of client.events(threadId, {
            lastEventId: options.lastEventId,
            signal: subscription.signal,
          })) {
            push(mapper.map(id, event));
            if (closed) return;
          }
        } catch (error) {
          fail(error);
        }
      })();
    },
    cancel() {
      closed = true;
      subscription.abort();
    },
  });
}
