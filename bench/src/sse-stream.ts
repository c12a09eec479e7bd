import { Agent, type ClientRequest, request } from 'node:http';
import type { SseTarget, StreamSpec } from './protocol.ts';
import { type SseMessage, SseParser } from './sse-parser.ts';

/** No pooling and no cap: every stream is its own TCP connection, as N separate browsers would be. */
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

export interface SseStreamHandlers {
  /** A data message (an event) with its id; `data` is the JSON StreamEvent. */
  onEvent(id: string | null, data: string): void;
  onHeartbeat(): void;
  /** The stream failed or ended; it is not reopened. Called at most once. */
  onError(message: string): void;
}

export function streamPath(spec: StreamSpec): string {
  const input = JSON.stringify({ threadId: spec.threadId, lastEventId: spec.lastEventId });
  return `/trpc/thread.onEvent?input=${encodeURIComponent(input)}`;
}

/**
 * One `thread.onEvent` subscription over raw node:http. Resolves `opened` on the `connected` message;
 * a non-200 answer, a socket error, an error frame or a close by the server is an error.
 */
export class SseStream {
  readonly opened: Promise<void>;
  private request: ClientRequest | null = null;
  private closing = false;
  private failed = false;

  constructor(
    target: SseTarget,
    spec: StreamSpec,
    private readonly handlers: SseStreamHandlers,
  ) {
    this.opened = new Promise((resolve, reject) => {
      const url = new URL(streamPath(spec), target.baseUrl);
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (target.token) headers.authorization = `Bearer ${target.token}`;
      const req = request(url, { agent, headers });
      this.request = req;
      const fail = (message: string) => {
        if (this.closing || this.failed) return;
        this.failed = true;
        reject(new Error(message));
        this.handlers.onError(message);
        req.destroy();
      };
      req.on('error', (error) => fail(`socket: ${error.message}`));
      req.on('response', (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => fail(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
          return;
        }
        const parser = new SseParser((message) => this.dispatch(message, resolve, fail));
        res.on('data', (chunk: string) => parser.push(chunk));
        res.on('close', () => fail('stream closed by the server'));
      });
      req.end();
    });
    // Failures are reported through onError; the promise is for callers that await the open.
    this.opened.catch(() => {});
  }

  private dispatch(message: SseMessage, connected: () => void, fail: (message: string) => void): void {
    switch (message.event) {
      case 'message':
        this.handlers.onEvent(message.id, message.data);
        return;
      case 'ping':
        this.handlers.onHeartbeat();
        return;
      case 'connected':
        connected();
        return;
      case 'serialized-error':
        fail(`error frame: ${message.data.slice(0, 300)}`);
        return;
      case 'return':
        fail('the server ended the subscription');
        return;
      default:
        fail(`unexpected SSE event "${message.event}"`);
    }
  }

  close(): void {
    this.closing = true;
    this.request?.destroy();
  }
}
