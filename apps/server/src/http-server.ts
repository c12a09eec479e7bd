import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AppRouter, Context, ContextRequest } from '@threadcast/api';
import type { Logger } from '@threadcast/bus';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import sirv from 'sirv';

export interface HttpServerOptions {
  router: AppRouter;
  createContext: (request: ContextRequest) => Promise<Context>;
  /** Folder of the built web app; served at `/` with the SPA fallback when it exists. */
  webDist?: string;
  logger: Logger;
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** The one HTTP server of a threadcast process: tRPC at `/trpc` (SSE for streams), `/healthz`, and the web app. */
export function createHttpServer(options: HttpServerOptions): Server {
  const trpc = createHTTPHandler({
    router: options.router,
    basePath: '/trpc/',
    createContext: ({ req, info }) => options.createContext({ req, info }),
    onError: ({ error, path, type }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') options.logger.error({ err: error, path, type }, 'procedure failed');
    },
  });

  const web =
    options.webDist && existsSync(options.webDist)
      ? sirv(options.webDist, { single: true, etag: true, immutable: false })
      : null;

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/trpc' || path.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    if (path === '/healthz') {
      sendText(res, 200, 'ok\n');
      return;
    }
    if (web) {
      web(req, res, () => sendText(res, 404, 'not found\n'));
      return;
    }
    sendText(res, 404, 'The web app is not built: run `pnpm build` (or `pnpm start`, which builds it).\n');
  });
}
