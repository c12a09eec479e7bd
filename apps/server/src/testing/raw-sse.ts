/** Raw HTTP access to a server's tRPC endpoint, for tests that must see exactly what goes over the wire. */
import { type IncomingMessage, request } from 'node:http';
import { WAIT_TIMEOUT_MS } from '@threadcast/testkit';

export interface RawStreamResult {
  /** `data` when an event arrived, the tRPC error code of a `serialized-error`, or the HTTP status otherwise. */
  outcome: string;
  /** Everything read from the response before it was closed. */
  text: string;
  status: number;
}

/**
 * Opens `thread.onEvent` (or `path`) with `input` and reads until the first event or error, or until `until` says so
 * (then the request is aborted). Resolves with what came first; never waits longer than `timeoutMs`.
 */
export async function rawStream(
  baseUrl: string,
  input: unknown,
  options: {
    headers?: Record<string, string>;
    query?: Record<string, string>;
    /** Sent as the `input` parameter as it is, instead of `input` as JSON. */
    rawInput?: string;
    until?: (text: string) => boolean;
    timeoutMs?: number;
    /** The subscription's path (default `thread.onEvent`). */
    path?: string;
  } = {},
): Promise<RawStreamResult> {
  const query = new URLSearchParams({ input: options.rawInput ?? JSON.stringify(input), ...options.query });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? WAIT_TIMEOUT_MS);
  let text = '';
  let status = 0;
  let finished: RawStreamResult | null = null;
  try {
    const response = await fetch(`${baseUrl}/trpc/${options.path ?? 'thread.onEvent'}?${query}`, {
      headers: { accept: 'text/event-stream', ...options.headers },
      signal: controller.signal,
    });
    status = response.status;
    if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
      text = await response.text();
      return { outcome: errorCodeOf(text) ?? `http ${status}`, text, status };
    }
    if (!response.body) return { outcome: `http ${status}`, text, status };
    const decoder = new TextDecoder();
    for await (const chunk of response.body) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      const outcome = firstOutcome(text);
      if (options.until ? options.until(text) : outcome) {
        finished = { outcome: outcome ?? 'until', text, status };
        controller.abort();
        return finished;
      }
    }
    return { outcome: firstOutcome(text) ?? `http ${status}`, text, status };
  } catch (error) {
    // Leaving the loop after `until` cancels the body, which throws once the request is aborted.
    if (finished) return finished;
    if (controller.signal.aborted) return { outcome: firstOutcome(text) ?? 'timeout', text, status };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function firstOutcome(text: string): string | null {
  const error = /event: serialized-error\ndata: (.*)\n/.exec(text);
  if (error?.[1]) {
    const parsed = JSON.parse(error[1]) as { data?: { code?: string } };
    return parsed.data?.code ?? 'serialized-error';
  }
  if (/^data: /m.test(text.replace(/event: (connected|ping)\ndata: .*\n/g, ''))) return 'data';
  return null;
}

/** A whole `serialized-error` frame was read (its `data:` line may come in a later chunk than its `event:` line). */
export function errorFrameRead(text: string): boolean {
  return /event: serialized-error\ndata: .*\n\n/.test(text);
}

/** The tRPC error code in a JSON error response, if it is one. */
export function errorCodeOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as
      | { error?: { data?: { code?: string } } }
      | { error?: { data?: { code?: string } } }[];
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return first?.error?.data?.code ?? null;
  } catch {
    return null;
  }
}

/**
 * Opens `thread.onEvent` on `threadId` as a bare `node:http` request and resolves with the response, for tests that
 * control when it is read (pause, resume) and see every byte.
 */
export function openRawStream(baseUrl: string, threadId: string, token: string): Promise<IncomingMessage> {
  const query = new URLSearchParams({ input: JSON.stringify({ threadId }) });
  return new Promise((resolve, reject) => {
    request(
      `${baseUrl}/trpc/thread.onEvent?${query}`,
      { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
      resolve,
    )
      .on('error', reject)
      .end();
  });
}
