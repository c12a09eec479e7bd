import { httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { type ReconnectOptions, resumeLink } from './resume-link.ts';
import type { ThreadcastRouter } from './router.ts';

type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export interface LinkOptions {
  /** The tRPC endpoint, e.g. `http://localhost:3000/trpc` (or `/trpc` in a browser on the same origin). */
  url: string;
  /**
   * The current token, sent as `Authorization: Bearer` on every request and every stream (re)connect, so a
   * refreshed token is used. Omit it in a browser: there the session cookie (`auth.startSession`) carries
   * the user, and no token is ever put in a URL.
   */
  getToken?: () => string | null | Promise<string | null>;
  /** An EventSource implementation where there is no global one (Node 20: the `eventsource` package). */
  EventSource?: EventSourceConstructor;
  /** Backoff of stream reconnects. */
  reconnect?: ReconnectOptions;
  /**
   * Called when a stream is refused with UNAUTHORIZED (e.g. its token expired). Refresh the token (or the
   * session) and resolve `true` to reconnect at once from the last event id; `false` ends the stream.
   */
  onUnauthorized?: () => boolean | Promise<boolean>;
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
 * Subscriptions go over SSE and resume after any dropped connection; everything else goes through the batch
 * link. Both send `Authorization: Bearer` when there is a token, and never put it in the URL. Typed for a
 * threadcast server by default; a router that mounts threadcast's procedures beside its own passes its type.
 */
export function createLinks<TRouter extends AnyTRPCRouter = ThreadcastRouter>(
  options: LinkOptions,
): TRPCLink<TRouter>[] {
  const EventSourceImpl = options.EventSource ?? (globalThis.EventSource as EventSourceConstructor | undefined);
  if (!EventSourceImpl) throw new Error('no EventSource here: pass one (e.g. from the `eventsource` package)');
  const { getToken } = options;
  const authorization = async (): Promise<Record<string, string>> => {
    const token = getToken ? await getToken() : null;
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const links: TRPCLink<ThreadcastRouter>[] = [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: [
        resumeLink({ ...options.reconnect, onUnauthorized: options.onUnauthorized }),
        httpSubscriptionLink({
          url: options.url,
          EventSource: closingOnError(EventSourceImpl),
          // Asked on every connect. A header-sending EventSource (the `eventsource` package) takes `fetch`;
          // a browser's own EventSource ignores it and sends the session cookie instead.
          eventSourceOptions: async () => {
            const headers = await authorization();
            if (!headers.authorization) return {};
            return {
              fetch: (input: string | URL, init?: RequestInit) =>
                fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
            } as EventSourceInit;
          },
        }),
      ],
      false: httpBatchLink({ url: options.url, headers: authorization }),
    }),
  ];
  // Nothing in these links depends on the procedures, only on there being no transformer (none is configured).
  return links as unknown as TRPCLink<TRouter>[];
}
