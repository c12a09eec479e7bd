import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AppRouter, Context, ContextRequest } from '@threadcast/api';
import type { DirectDelivery, Logger, StoredEvent } from '@threadcast/bus';
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  isTrackedEnvelope,
  TRPCError,
} from '@trpc/server';

/** The subscriptions the fast path serves; everything else goes through tRPC's own handler. */
const FAST_PATHS = new Set(['/trpc/thread.onEvent']);

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

const PING_FRAME = 'event: ping\ndata: \n\n';
const RETURN_FRAME = 'event: return\ndata: \n\n';

export interface FastSubscriptionOptions {
  router: AppRouter;
  createContext: (request: ContextRequest & { req: IncomingMessage }) => Promise<Context>;
  logger: Logger;
}

/** One open stream, and the direct consumer its subscription offers live events to. */
class OpenStream implements DirectDelivery {
  corked = false;
  /** The socket's buffer is full: events go through the subscription's queue until it drains. */
  congested = false;

  constructor(
    readonly res: ServerResponse,
    private readonly writer: FastSubscriptions,
  ) {}

  deliver(stored: StoredEvent): boolean {
    return this.writer.writeDirect(this, stored);
  }
}

interface CachedFrame {
  id: string;
  frame: string;
}

/**
 * Serves `thread.onEvent` over exactly tRPC's SSE protocol (`connected`, `data:`/`id:` messages, `ping`,
 * `serialized-error`, `return`, `lastEventId` from the input or the `Last-Event-ID` header), so
 * `httpSubscriptionLink` and the React hooks work unchanged, while the procedure itself (input
 * validation, auth middleware, ownership, the bus subscription) is still the router's.
 *
 * What it saves over tRPC's generic pipeline, per event and per stream: no web streams, no timer armed
 * per event, one heartbeat tick for every stream, each event's frame built once per turn of the event loop
 * (the bus hands every local subscriber the same event object, in the same turn), and events of one burst
 * coalesced into one socket write.
 */
export class FastSubscriptions {
  private readonly streams = new Set<OpenStream>();
  private readonly heartbeat: NodeJS.Timeout | null;
  private readonly connectedFrame: string;
  /**
   * Frames built since the last flush, by event object: every local subscriber gets that same object, and
   * id, in the turn the event arrives (one whose stream takes it through its queue may build it once more).
   * Emptied by `flush`, so an event that reaches one stream only (each thread watched once) costs a Map
   * entry that dies young, not a WeakMap entry (1–2 µs each, most of it in the garbage collector).
   */
  private readonly frames = new Map<object, CachedFrame>();
  /** Streams written to in this turn of the event loop: they are uncorked together, once. */
  private readonly corked: OpenStream[] = [];
  private flushScheduled = false;
  private readonly flush = () => {
    this.flushScheduled = false;
    for (const stream of this.corked) {
      stream.corked = false;
      stream.res.uncork();
    }
    this.corked.length = 0;
    this.frames.clear();
  };

  constructor(private readonly options: FastSubscriptionOptions) {
    const sse = options.router._def._config.sse;
    this.connectedFrame = `event: connected\ndata: ${JSON.stringify(sse?.client ?? {})}\n\n`;
    const intervalMs = sse?.ping?.enabled ? (sse.ping.intervalMs ?? 1_000) : 0;
    this.heartbeat = intervalMs > 0 ? setInterval(() => this.ping(), intervalMs).unref() : null;
  }

  /** Whether this request is one the fast path serves. */
  handles(req: IncomingMessage): boolean {
    if (req.method !== 'GET') return false;
    return FAST_PATHS.has(pathOf(req));
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
  }

  /** Serves one stream; `headers` go out with the SSE headers (which win where both name one). */
  async serve(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders = {}): Promise<void> {
    const stream = new OpenStream(res, this);
    const abort = new AbortController();
    const onClose = aborter(abort);
    res.on('close', onClose);
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.write(this.connectedFrame);
    this.streams.add(stream);

    const path = pathOf(req).slice('/trpc/'.length);
    let ctx: Context | undefined;
    let input: unknown;
    try {
      const request = parseRequest(req);
      ctx = await this.options.createContext({ req, res, info: { connectionParams: request.connectionParams } });
      ctx.eventSink = stream;
      input = request.input;
      const result = await callTRPCProcedure({
        router: this.options.router,
        path,
        type: 'subscription',
        ctx,
        getRawInput: resolver(input),
        signal: abort.signal,
        batchIndex: 0,
      });
      if (!isAsyncIterable(result)) throw new Error(`${path} did not return an async iterable`);
      for await (const value of result) {
        if (abort.signal.aborted) break;
        if (!this.write(stream, this.frameOf(value))) await drained(res, abort.signal);
      }
      if (!abort.signal.aborted) this.write(stream, RETURN_FRAME);
    } catch (cause) {
      if (!abort.signal.aborted) this.write(stream, this.errorFrame(cause, path, input, ctx));
    } finally {
      this.streams.delete(stream);
      res.off('close', onClose);
      if (!res.writableEnded) res.end();
    }
  }

  /**
   * A live event handed over in the publisher's turn, while the stream's subscription waits with nothing
   * queued: written at once, with no promise or generator step per subscriber. A congested socket declines,
   * and the event takes the queued route, which waits for `drain`.
   */
  writeDirect(stream: OpenStream, stored: StoredEvent): boolean {
    const { res } = stream;
    if (stream.congested || res.writableEnded || res.destroyed) return false;
    if (!this.write(stream, this.trackedFrame(stored.id, stored.event))) {
      stream.congested = true;
      res.once('drain', () => {
        stream.congested = false;
      });
    }
    return true;
  }

  private frameOf(value: unknown): string {
    if (!isTrackedEnvelope(value)) return `data: ${JSON.stringify(value)}\n\n`;
    const [id, data] = value;
    if (typeof data !== 'object' || data === null) return `data: ${JSON.stringify(data)}\nid: ${id}\n\n`;
    return this.trackedFrame(id, data);
  }

  /** `data:` and `id:` of one event, built once per event object, id and turn, whoever it goes to. */
  private trackedFrame(id: string, data: object): string {
    const cached = this.frames.get(data);
    if (cached?.id === id) return cached.frame;
    const frame = `data: ${JSON.stringify(data)}\nid: ${id}\n\n`;
    this.frames.set(data, { id, frame });
    this.scheduleFlush();
    return frame;
  }

  private errorFrame(cause: unknown, path: string, input: unknown, ctx: Context | undefined): string {
    const error: TRPCError = getTRPCErrorFromUnknown(cause);
    if (error.code === 'INTERNAL_SERVER_ERROR') this.options.logger.error({ err: error, path }, 'procedure failed');
    const shape = getTRPCErrorShape({
      config: this.options.router._def._config,
      error,
      type: 'subscription',
      path,
      input,
      ctx,
    });
    return `event: serialized-error\ndata: ${JSON.stringify(shape)}\n\n`;
  }

  /**
   * Writes a frame; frames written in the same turn of the event loop leave in one socket write, all
   * streams being uncorked by one callback. Returns false when the socket's buffer is full (the caller
   * waits for `drain`).
   */
  private write(stream: OpenStream, frame: string): boolean {
    const { res } = stream;
    if (res.writableEnded || res.destroyed) return true;
    if (!stream.corked) {
      stream.corked = true;
      res.cork();
      this.corked.push(stream);
    }
    this.scheduleFlush();
    return res.write(frame);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(this.flush);
  }

  private ping(): void {
    for (const stream of this.streams) this.write(stream, PING_FRAME);
  }
}

// The two below make the functions each open stream holds, and return them anonymous on purpose: tsx compiles
// with esbuild's keepNames, which gives every function it names (`const onClose = () => …`) its own
// property array, about 256 bytes per stream each.
function aborter(controller: AbortController): () => void {
  return () => controller.abort();
}

function resolver<T>(value: T): () => Promise<T> {
  return async () => value;
}

/** A stream whose socket buffer is full waits here; the subscription's own queue bounds what piles up meanwhile. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?', 1)[0] ?? '';
}

/** The procedure's input and connection params from the request's URL: an open stream keeps no URL objects. */
function parseRequest(req: IncomingMessage): {
  input: unknown;
  connectionParams: Record<string, string | undefined> | null;
} {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const connectionParams = parseJsonParam(url.searchParams.get('connectionParams'), 'connectionParams');
  return {
    input: withLastEventId(parseJsonParam(url.searchParams.get('input'), 'input'), req, url),
    connectionParams: isStringRecord(connectionParams) ? connectionParams : null,
  };
}

function parseJsonParam(raw: string | null, name: string): unknown {
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `"${name}" is not valid JSON`, cause });
  }
}

/** As tRPC does: a `Last-Event-ID` header (or query parameter) sets the input's `lastEventId`. */
function withLastEventId(input: unknown, req: IncomingMessage, url: URL): unknown {
  const header = req.headers['last-event-id'];
  const lastEventId =
    (Array.isArray(header) ? header[0] : header) ??
    url.searchParams.get('lastEventId') ??
    url.searchParams.get('Last-Event-Id');
  if (!lastEventId) return input;
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return { ...input, lastEventId };
  return input ?? { lastEventId };
}

function isStringRecord(value: unknown): value is Record<string, string | undefined> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
