import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '@threadcast/common';
import { type AnyTRPCRouter, callTRPCProcedure, getTRPCErrorFromUnknown, TRPCError } from '@trpc/server';
import { GuardedStream } from './guarded-stream.ts';
import { StreamEnding } from './stream-ending.ts';
import { type StreamSettings, streamSettingsOf } from './stream-settings.ts';
import type { StreamItem, StreamSink } from './stream-source.ts';

const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

const PING_FRAME = 'event: ping\ndata: \n\n';
const RETURN_FRAME = 'event: return\ndata: \n\n';

export interface SseWriterOptions<TContext> {
  /** Built by `createTRPCRouter` or `createConfiguredRouter`: the writer takes its stream settings from how it was built. */
  router: AnyTRPCRouter;
  /** Where the router is mounted, as tRPC's handler is given it: `/trpc/` serves `/trpc/thread.onEvent`. */
  basePath: string;
  createContext: (request: { req: IncomingMessage; res: ServerResponse; info: ContextInfo }) => Promise<TContext>;
  logger: Logger;
}

interface ContextInfo {
  connectionParams: Record<string, string | undefined> | null;
}

/** One open response: the sink its stream's items are pushed to. */
class OpenStream implements StreamSink {
  corked = false;
  /** The client went away (the response closed). */
  gone = false;
  /** Set once the procedure has opened the stream. */
  stream: GuardedStream | null = null;
  constructor(
    readonly res: ServerResponse,
    readonly path: string,
    private readonly writer: SseWriter<unknown>,
    /** The procedure's signal, aborted when the stream ends so a generator waiting on it stops; none for a push stream. */
    readonly abort: AbortController | null,
  ) {}

  deliver(item: StreamItem): boolean {
    return this.writer.writeItem(this, item);
  }

  end(failure?: unknown): void {
    this.writer.finish(this, failure);
  }

  /** The response closed: the stream ends, and gives back whatever it holds. */
  close(): void {
    this.gone = true;
    this.stream?.end(StreamEnding.clientGone);
    this.abort?.abort();
  }
}

/**
 * Serves every subscription of a router over exactly tRPC's SSE protocol (`connected`, `data:`/`id:` messages,
 * `ping`, `serialized-error`, `return`, `lastEventId` from the input or the `Last-Event-ID` header), so
 * `httpSubscriptionLink` and the React hooks work unchanged. The procedure itself (input validation, auth,
 * the stream rules of `streamProcedure`) is the router's; what it returns is a `GuardedStream`, pushed to
 * the socket here.
 *
 * What it saves over tRPC's generic pipeline, per item and per stream: no web streams; for a push source no
 * iterator or promise between the bus and the socket; no timer armed per item; one heartbeat tick for every
 * stream; each item's frame built once for all the streams it goes to (the bus hands every local subscriber the
 * same event object, one after the other); and items of one burst coalesced into one socket write.
 */
export class SseWriter<TContext> {
  private readonly streams = new Set<OpenStream>();
  /**
   * Procedures whose last stream was a push stream: their next calls get no AbortSignal, since such a stream is
   * stopped directly and an AbortSignal with its listener costs about 1 KB per idle stream. A procedure that
   * answers with a generator or an observable goes back to getting one on every call.
   */
  private readonly pushing = new Set<string>();
  private readonly settings: StreamSettings;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly connectedFrame: string;
  /**
   * The last frame built, by item data and id: the bus hands every local subscriber of a thread the same event
   * object, one subscriber after the other, so a fan-out builds its frame once. One slot, not a map of the turn's
   * frames: in a fan-in each frame goes to one stream, and a map entry per delivery (its object, the table it grows
   * and drops each turn) cost more in the garbage collector than the frame it saved. Emptied by `flush`.
   */
  private lastData: unknown = null;
  private lastId: string | undefined;
  private lastFrame = '';
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
    this.lastData = null;
  };

  constructor(private readonly options: SseWriterOptions<TContext>) {
    this.settings = streamSettingsOf(options.router);
    const client = { reconnectAfterInactivityMs: this.settings.reconnectAfterInactivityMs };
    this.connectedFrame = `event: connected\ndata: ${JSON.stringify(client)}\n\n`;
    this.heartbeat = setInterval(() => this.ping(), this.settings.heartbeatMs).unref();
  }

  /** Whether this request is one the writer serves: an SSE request (`Accept: text/event-stream`) for a procedure. */
  handles(req: IncomingMessage): boolean {
    if (req.method !== 'GET') return false;
    return (
      (req.headers.accept?.includes('text/event-stream') ?? false) && (req.url ?? '').startsWith(this.options.basePath)
    );
  }

  close(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * Opens one stream: the procedure (input, auth, admission, its own checks) runs as tRPC would run it, and
   * the stream it returns is pushed to this response. Resolves once the stream is open or refused; an open
   * push stream then holds no promise or pending call, only its objects and listeners.
   */
  async serve(req: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders = {}): Promise<void> {
    const path = pathOf(req, this.options.basePath);
    const stream = new OpenStream(
      res,
      path,
      this as SseWriter<unknown>,
      this.pushing.has(path) ? null : new AbortController(),
    );
    res.on('close', closer(stream));
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.write(this.connectedFrame);
    this.streams.add(stream);

    let input: unknown;
    try {
      const request = parseRequest(req, this.settings.deserialize);
      input = request.input;
      const ctx = await this.options.createContext({ req, res, info: { connectionParams: request.connectionParams } });
      const result = await callTRPCProcedure({
        router: this.options.router,
        path,
        type: 'subscription',
        ctx,
        getRawInput: resolver(input),
        signal: stream.abort?.signal,
        batchIndex: 0,
      });
      if (!(result instanceof GuardedStream)) {
        throw new Error(
          `subscription ${path} is not built on streamProcedure, so it would skip admission, drain, stream slots and token expiry: build it on streamProcedure`,
        );
      }
      if (result.pushes) this.pushing.add(path);
      else this.pushing.delete(path);
      stream.stream = result;
      // The client may have left while the procedure ran.
      if (stream.gone) result.end(StreamEnding.clientGone);
      result.attach(stream, { maxDurationMs: this.settings.maxDurationMs });
    } catch (cause) {
      this.endStream(stream, this.errorFrame(cause, path, input));
    }
  }

  /**
   * An item, handed over in the publisher's turn (or in its replay): written at once, with no promise or
   * generator step. Returns false when the socket's buffer is full; the stream then resumes on `drain`, and
   * what arrives meanwhile waits in its source, which bounds it.
   */
  writeItem(stream: OpenStream, item: StreamItem): boolean {
    if (this.write(stream, this.dataFrame(item.id, item.event))) return true;
    stream.res.once('drain', resumer(stream));
    return false;
  }

  /** The stream is over: tells the client how (`return`, or the error, retryable where resuming helps). */
  finish(stream: OpenStream, failure: unknown): void {
    stream.abort?.abort();
    this.endStream(stream, failure === undefined ? RETURN_FRAME : this.errorFrame(failure, stream.path, undefined));
  }

  private endStream(stream: OpenStream, lastFrame: string): void {
    this.streams.delete(stream);
    const { res } = stream;
    if (res.writableEnded || res.destroyed) return;
    this.write(stream, lastFrame);
    res.end();
  }

  /** `data:` and `id:` of one item, built once for the subscribers it goes to one after the other. */
  private dataFrame(id: string | undefined, data: unknown): string {
    const cacheable = typeof data === 'object' && data !== null;
    if (cacheable && data === this.lastData && id === this.lastId) return this.lastFrame;
    const { serialize } = this.settings;
    const json = JSON.stringify(serialize === null ? data : serialize(data)) ?? 'null';
    const frame = id === undefined ? `data: ${json}\n\n` : `data: ${json}\nid: ${id}\n\n`;
    if (cacheable) {
      this.lastData = data;
      this.lastId = id;
      this.lastFrame = frame;
      this.scheduleFlush();
    }
    return frame;
  }

  /** A `serialized-error` frame, shaped by the router's error formatter (an error after the stream opened has no input). */
  private errorFrame(cause: unknown, path: string, input: unknown): string {
    const error = getTRPCErrorFromUnknown(cause);
    if (error.code === 'INTERNAL_SERVER_ERROR') this.options.logger.error({ err: error, path }, 'procedure failed');
    const { serialize, shapeError } = this.settings;
    const shape = shapeError(error, path, input);
    return `event: serialized-error\ndata: ${JSON.stringify(serialize === null ? shape : serialize(shape))}\n\n`;
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

// The functions below are made per stream (or per congestion), and returned anonymous on purpose: tsx compiles
// with esbuild's keepNames, which gives every function it names (`const onClose = () => …`) its own
// property array, about 256 bytes per stream each.
function closer(stream: OpenStream): () => void {
  return () => stream.close();
}

function resumer(stream: OpenStream): () => void {
  return () => stream.stream?.resume();
}

function resolver<T>(value: T): () => Promise<T> {
  return async () => value;
}

/** The procedure's path: under `/trpc/`, `/trpc/thread.onEvent?…` is `thread.onEvent`. */
function pathOf(req: IncomingMessage, basePath: string): string {
  const path = (req.url ?? '').slice(basePath.length).split('?', 1)[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The procedure's input and connection params from the request's URL: an open stream keeps no URL objects. */
function parseRequest(
  req: IncomingMessage,
  deserialize: StreamSettings['deserialize'],
): {
  input: unknown;
  connectionParams: Record<string, string | undefined> | null;
} {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const connectionParams = parseJsonParam(url.searchParams.get('connectionParams'), 'connectionParams');
  const raw = parseJsonParam(url.searchParams.get('input'), 'input');
  return {
    input: withLastEventId(deserialize === null || raw === undefined ? raw : deserialize(raw), req, url),
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
