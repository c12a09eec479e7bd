import type { AppRouter } from '@threadcast/api';
import { httpBatchLink, httpSubscriptionLink, splitLink, type TRPCLink } from '@trpc/client';

type EventSourceConstructor = NonNullable<Parameters<typeof httpSubscriptionLink>[0]['EventSource']>;

export interface LinkOptions {
  /** The tRPC endpoint, e.g. `http://localhost:3000/trpc` (or `/trpc` in a browser on the same origin). */
  url: string;
  /** The current token; asked again on every request and every reconnect, so a refreshed token is used. */
  getToken: () => string | null | Promise<string | null>;
  /** An EventSource implementation where there is no global one (Node 20: the `eventsource` package). */
  EventSource?: EventSourceConstructor;
}

/**
 * Subscriptions go over SSE with the token in `connectionParams` (EventSource cannot send headers);
 * everything else goes through the batch link with `Authorization: Bearer`.
 */
export function createLinks(options: LinkOptions): TRPCLink<AppRouter>[] {
  return [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url: options.url,
        EventSource: options.EventSource,
        connectionParams: async () => {
          const token = await options.getToken();
          return token ? { token } : {};
        },
      }),
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
