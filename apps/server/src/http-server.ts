import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Context, type ContextRequest, SseWriter } from '@threadcast/api';
import type { Logger, Readiness } from '@threadcast/common';
import type { AnyTRPCRouter } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import sirv from 'sirv';
import { OriginPolicy } from './origin-policy.ts';
import {
  DEFAULT_REQUEST_LIMITS,
  maxHeaderSize,
  oversizedRequest,
  type RequestLimits,
  refuseOversizedRequest,
  sendTRPCError,
} from './request-limits.ts';
import { apiHeaders, isHttps, type SecurityHeaderOptions, setApiHeaders, setWebHeaders } from './security-headers.ts';

export interface HttpServerOptions {
  /** Built by `createAppRouter` (or `createConfiguredRouter` with more routers of the host's own). */
  router: AnyTRPCRouter;
  createContext: (request: ContextRequest) => Promise<Context>;
  /** Folder of the built web app; served at `/` with the SPA fallback when it exists. */
  webDist?: string;
  logger: Logger;
  /** Browser origins besides the server's own that may call `/trpc` with credentials (exact, never `*`). */
  corsOrigins?: readonly string[];
  /** Request size limits that differ from `DEFAULT_REQUEST_LIMITS`. */
  limits?: Partial<RequestLimits>;
  /** Believe `X-Forwarded-Proto` (behind a TLS-terminating proxy): HSTS is sent for https requests. */
  trustProxy?: boolean;
  /** Serves `GET /metrics` (Prometheus); this server's own registry, see `createServerMetrics`. */
  metrics?: { handle(req: IncomingMessage, res: ServerResponse): void };
  /** Answers `/readyz` (see `ServerLifecycle`); without it the server is always ready. */
  readiness?: () => Readiness;
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** The one HTTP server of a threadcast process: tRPC at `/trpc` (SSE for streams), `/healthz`, `/metrics`, and the web app. */
export function createHttpServer(options: HttpServerOptions): Server {
  const origins = new OriginPolicy(options.corsOrigins ?? []);
  const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
  const headerOptions: SecurityHeaderOptions = { trustProxy: options.trustProxy ?? false };
  // tRPC sets its own `vary`, replacing the one set before it runs; its response meta is added to it.
  const varyByOrigin = origins.variesByOrigin ? { headers: new Headers({ vary: 'origin' }) } : {};

  const basePath = '/trpc/';
  const trpc = createHTTPHandler({
    router: options.router,
    basePath,
    createContext: ({ req, res, info }) =>
      options.createContext({ req, res, info, secure: isHttps(req, headerOptions) }),
    // Counts a body without Content-Length as it arrives; a declared one is checked before tRPC runs.
    maxBodySize: limits.bodyMaxBytes,
    responseMeta: () => varyByOrigin,
    onError: ({ error, path, type }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') options.logger.error({ err: error, path, type }, 'procedure failed');
    },
  });

  // Every subscription's stream: tRPC's own SSE pipeline is off in the router (see trpc.ts).
  const streams = new SseWriter({
    router: options.router,
    basePath,
    createContext: (request) => options.createContext({ ...request, secure: isHttps(request.req, headerOptions) }),
    logger: options.logger,
  });

  const web =
    options.webDist && existsSync(options.webDist)
      ? sirv(options.webDist, { single: true, etag: true, immutable: false })
      : null;

  function handleTRPC(req: IncomingMessage, res: ServerResponse): void {
    // A stream that passes every check below sends its security headers with its own, in one writeHead:
    // headers set one at a time are kept as objects for as long as the response lives (about 1 KB a stream).
    if (
      streams.handles(req) &&
      !origins.variesByOrigin &&
      origins.foreignOrigin(req) === null &&
      oversizedRequest(req, limits) === null
    ) {
      void streams.serve(req, res, apiHeaders(req, headerOptions));
      return;
    }
    setApiHeaders(req, res, headerOptions);
    if (origins.applyCors(req, res)) return;
    const foreign = origins.foreignOrigin(req);
    if (foreign !== null) {
      const message = `cross-origin request refused: ${foreign} is neither this server's origin nor in CORS_ORIGINS`;
      sendTRPCError(res, 403, 'FORBIDDEN', message);
      return;
    }
    if (refuseOversizedRequest(req, res, limits)) return;
    if (streams.handles(req)) {
      void streams.serve(req, res);
      return;
    }
    trpc(req, res);
  }

  const server = createServer({ maxHeaderSize: maxHeaderSize(limits) }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      handleTRPC(req, res);
      return;
    }
    if (path === '/metrics' && options.metrics) {
      setApiHeaders(req, res, headerOptions);
      options.metrics.handle(req, res);
      return;
    }
    if (path === '/healthz') {
      setApiHeaders(req, res, headerOptions);
      sendText(res, 200, 'ok\n');
      return;
    }
    // Whether this process can serve: 503 with the reason while it drains or while Redis is unusable.
    if (path === '/readyz') {
      setApiHeaders(req, res, headerOptions);
      const readiness = options.readiness?.() ?? { ready: true };
      sendText(res, readiness.ready ? 200 : 503, readiness.ready ? 'ready\n' : `not ready: ${readiness.reason}\n`);
      return;
    }
    setWebHeaders(req, res, headerOptions);
    if (web) {
      web(req, res, () => sendText(res, 404, 'not found\n'));
      return;
    }
    sendText(res, 404, 'The web app is not built: run `pnpm build` (or `pnpm start`, which builds it).\n');
  });
  server.on('close', () => streams.close());
  return server;
}
