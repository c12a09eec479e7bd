import type { StreamEvent } from '@threadcast/contract';
import { createTRPCClient, type TRPCClient } from '@trpc/client';
import { createLinks, type LinkOptions } from './links.ts';
import type { ThreadcastRouter } from './router.ts';
import { applyStreamEvent, initialStreamState, type StreamState } from './stream-state.ts';

export interface ThreadWatchOptions {
  /** Resume after this event id instead of starting at the latest run. */
  lastEventId?: string | null;
  /** Ends the stream. */
  signal?: AbortSignal;
  onEvent?: (event: StreamEvent, id: string) => void;
  onState?: (state: StreamState) => void;
  onError?: (error: unknown) => void;
  /** The stream's connection: `connecting` (also while reconnecting), `live`, or `idle` once stopped. */
  onConnection?: (state: 'connecting' | 'live' | 'idle') => void;
}

export interface StreamingClient {
  /** The typed tRPC client for every other procedure. */
  trpc: TRPCClient<ThreadcastRouter>;
  /** Follows a thread: each new event updates the state (duplicates are ignored). Returns a function that stops. */
  watchThread(threadId: string, options?: ThreadWatchOptions): () => void;
  /** The thread's events as an async iterable, each with its id, until the signal aborts. */
  events(
    threadId: string,
    options?: { lastEventId?: string | null; signal?: AbortSignal },
  ): AsyncIterable<{ id: string; event: StreamEvent }>;
}

/** A framework-agnostic, typed client of threadcast, for Node scripts and non-React front ends. */
export function createStreamingClient(options: LinkOptions): StreamingClient {
  const trpc = createTRPCClient<ThreadcastRouter>({ links: createLinks(options) });

  const watchThread: StreamingClient['watchThread'] = (threadId, watch = {}) => {
    let state = initialStreamState;
    const subscription = trpc.thread.onEvent.subscribe(
      { threadId, lastEventId: watch.lastEventId ?? null },
      {
        onData: ({ id, data }) => {
          watch.onEvent?.(data, id);
          const next = applyStreamEvent(state, id, data);
          if (next !== state) {
            state = next;
            watch.onState?.(state);
          }
        },
        onError: (error) => watch.onError?.(error),
        onConnectionStateChange: (change) => watch.onConnection?.(change.state === 'pending' ? 'live' : change.state),
      },
    );
    const stop = () => subscription.unsubscribe();
    watch.signal?.addEventListener('abort', stop, { once: true });
    return stop;
  };

  async function* events(threadId: string, opts: { lastEventId?: string | null; signal?: AbortSignal } = {}) {
    const queue: { id: string; event: StreamEvent }[] = [];
    let wake: (() => void) | null = null;
    let failure: unknown = null;
    let ended = false;
    const controller = new AbortController();
    const finish = () => {
      ended = true;
      wake?.();
    };
    opts.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    controller.signal.addEventListener('abort', finish, { once: true });
    const stop = watchThread(threadId, {
      lastEventId: opts.lastEventId,
      signal: controller.signal,
      onEvent: (event, id) => {
        queue.push({ id, event });
        wake?.();
      },
      onError: (error) => {
        failure = error;
        finish();
      },
    });
    try {
      for (;;) {
        const item = queue.shift();
        if (item) {
          yield item;
          continue;
        }
        if (failure) throw failure;
        if (ended || opts.signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    } finally {
      stop();
      controller.abort();
    }
  }

  return { trpc, watchThread, events };
}
