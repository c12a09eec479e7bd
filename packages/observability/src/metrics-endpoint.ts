import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@threadcast/common';
import type { Registry } from 'prom-client';

export interface MetricsEndpointOptions {
  /** When set, a scrape must send `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token?: string | undefined;
  logger: Logger;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Answers `GET /metrics` with a registry in Prometheus's text format. */
export class MetricsEndpoint {
  private readonly expected: Buffer | null;

  constructor(
    private readonly registry: Registry,
    private readonly options: MetricsEndpointOptions,
  ) {
    this.expected = options.token ? digest(`Bearer ${options.token}`) : null;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'GET /metrics\n', { allow: 'GET, HEAD' });
      return;
    }
    if (!this.authorized(req)) {
      send(res, 401, 'send Authorization: Bearer <METRICS_TOKEN>\n', { 'www-authenticate': 'Bearer' });
      return;
    }
    this.registry.metrics().then(
      (body) => send(res, 200, req.method === 'HEAD' ? '' : body, { 'content-type': this.registry.contentType }),
      (error: unknown) => {
        this.options.logger.error({ err: error }, 'metrics: could not collect');
        send(res, 500, 'could not collect the metrics\n');
      },
    );
  }

  /** Compares digests in constant time, so neither the token nor its length leaks through timing. */
  private authorized(req: IncomingMessage): boolean {
    if (!this.expected) return true;
    const header = req.headers.authorization;
    return typeof header === 'string' && timingSafeEqual(digest(header), this.expected);
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(body);
}

/** A listener of its own for a process without an HTTP server (a worker): `/metrics`, and 404 elsewhere. */
export async function listenForMetrics(endpoint: MetricsEndpoint, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?', 1)[0] === '/metrics') endpoint.handle(req, res);
    else send(res, 404, 'not found: metrics are at /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
