import type { AppRouter } from '@threadcast/api';
import { httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import { type ReconnectOptions, resumeLink } from './resume-link.ts';

type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export interface LinkOptions {
  /** The tRPC endpoint, e.g. `http://localhost:3000/trpc` (or `/trpc` in a browser on the same origin). */
  url: string;
  /** The current token; asked again on every request and every reconnect, so a refreshed token is used. */
  getToken: () => string | null | Promise<string | null>;
  /** An EventSource implementation where there is no global one (Node 20: the `eventsource` package). */
  EventSource?: EventSourceConstructor;
  /** Backoff of stream reconnects. */
  reconnect?: ReconnectOptions;
}

/**
 * An EventSource that gives up on the first error instead of reconnecting by itself at the browser's fixed
 * pace: `resumeLink` reconnects instead, with backoff, jitter and the last event id.
 */
function closingOnError(Base: EventSourceConstructor): EventSourceConstructor {
  return class extends (Base as typeof EventSource) {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      this.addEventListener('error', () => this.close());
    }
  } as EventSourceConstructor;
}

/**
 * Subscriptions go over SSE with the token in `connectionParams` (EventSource cannot send headers) and
 * resume after any dropped connection; everything else goes through the batch link with
 * `Authorization: Bearer`.
 */
export function createLinks(options: LinkOptions): TRPCLink<AppRouter>[] {
  const EventSourceImpl = options.EventSource ?? (globalThis.EventSource as EventSourceConstructor | undefined);
  if (!EventSourceImpl) throw new Error('no EventSource here: pass one (e.g. from the `eventsource` package)');
  return [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: [
        resumeLink(options.reconnect),
        httpSubscriptionLink({
          url: options.url,
          EventSource: closingOnError(EventSourceImpl),
          connectionParams: async () => {
            const token = await options.getToken();
            return token ? { token } : {};
          },
        }),
      ],
      false: httpBatchLink({
        url: options.url,
        headers: async () => {
          const token = await options.getToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    }),
  ];
}
