import { backoffDelay } from '@threadcast/common';
import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { ThreadcastRouter } from './router.ts';

export interface ReconnectOptions {
  /** First delay before reconnecting, in ms (default 250); it doubles on each failed attempt. */
  baseDelayMs?: number;
  /** Longest delay between attempts, in ms (default 10,000). */
  maxDelayMs?: number;
}

export interface ResumeOptions extends ReconnectOptions {
  /** Refreshes credentials after an UNAUTHORIZED stream; `true` reconnects at once (see `LinkOptions`). */
  onUnauthorized?: () => boolean | Promise<boolean>;
}

/** Errors that no reconnect can fix: the request itself is wrong or not allowed. */
const FINAL_CODES = new Set([
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PARSE_ERROR',
  'METHOD_NOT_SUPPORTED',
]);

function codeOf(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

/**
 * Keeps a subscription alive across dropped connections: on a retryable error it reports `connecting`,
 * waits with exponential backoff and jitter, and subscribes again with `lastEventId` set to the last
 * event it passed on, so the server resumes exactly there. An UNAUTHORIZED stream (its token expired) asks
 * `onUnauthorized` to refresh and reconnects at once; a second refusal in a row ends it.
 */
export function resumeLink<TRouter extends AnyTRPCRouter = ThreadcastRouter>(
  options: ResumeOptions = {},
): TRPCLink<TRouter> {
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let lastEventId: string | undefined;
        let attempt = 0;
        let current: Unsubscribable | null = null;
        let timer: ReturnType<typeof setTimeout> | undefined;
        let stopped = false;
        let refreshed = false;

        const connect = () => {
          const input = lastEventId === undefined ? op.input : { ...(op.input as object), lastEventId };
          current = next({ ...op, input }).subscribe({
            next(envelope) {
              const { result } = envelope;
              if ((!result.type || result.type === 'data') && 'id' in result && typeof result.id === 'string') {
                lastEventId = result.id;
                attempt = 0;
                refreshed = false;
              }
              observer.next(envelope);
            },
            error(error) {
              if (stopped) return;
              const code = codeOf(error);
              if (code === 'UNAUTHORIZED' && !refreshed && options.onUnauthorized) {
                refreshed = true;
                observer.next({ result: { type: 'state', state: 'connecting', error } });
                void Promise.resolve()
                  .then(() => options.onUnauthorized?.())
                  .then(
                    (retry) => {
                      if (stopped) return;
                      if (retry) connect();
                      else observer.error(error);
                    },
                    () => observer.error(error),
                  );
                return;
              }
              if (code !== undefined && FINAL_CODES.has(code)) {
                observer.error(error);
                return;
              }
              observer.next({ result: { type: 'state', state: 'connecting', error } });
              timer = setTimeout(connect, backoffDelay(attempt, baseDelayMs, maxDelayMs));
              attempt += 1;
            },
            complete() {
              observer.complete();
            },
          });
        };

        connect();
        return () => {
          stopped = true;
          clearTimeout(timer);
          current?.unsubscribe();
        };
      });
}
