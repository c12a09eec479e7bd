import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { StreamGate } from '@threadcast/api';
import type { Logger, Readiness } from '@threadcast/common';

/** How often the backend's readiness is looked at, to end streams once Redis has been gone past the grace. */
const WATCH_INTERVAL_MS = 100;
const SHUTTING_DOWN = 'this server is shutting down';

export interface LifecycleOptions {
  /** The engines: their readiness (Redis reachable, the shared subscriber subscribed), and closing them. */
  backend: { readiness(): Readiness; close(): Promise<void> };
  logger: Logger;
  /** Window over which open streams are ended, on shutdown and after losing Redis (SHUTDOWN_SPREAD_MS). */
  spreadMs: number;
  /** A shutdown's deadline: past it the process exits with code 1 (SHUTDOWN_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long the backend may be unusable before open streams are ended (REDIS_LOSS_GRACE_MS). */
  redisLossGraceMs: number;
  /** Ends the process (`process.exit`). */
  exit(code: number): void;
}

/**
 * A server process's readiness and graceful shutdown.
 *
 * Ready (`/readyz` 200) while the backend is usable and the process is not draining. On SIGTERM it drains:
 * `/readyz` answers 503 at once and new streams are refused with SERVICE_UNAVAILABLE, while other requests
 * are still served (each closing its connection, so the client's next one goes through the load balancer
 * again); open streams are ended with that same retryable error, spread over `spreadMs`, and their clients
 * reconnect elsewhere and resume from their last event id. Then the listener closes, the embedded work
 * stops, Redis connections are closed, and the process exits 0 — or 1 at the `timeoutMs` deadline.
 *
 * When the backend becomes unusable (Redis down), new streams are refused at once, and open streams, which
 * could only wait in silence, are ended (spread) once it has lasted `redisLossGraceMs`.
 */
export class ServerLifecycle {
  /** Admission of `thread.onEvent` streams: hand it to the API context. */
  readonly gate: StreamGate;
  private draining = false;
  private unusableSince: number | null = null;
  private endingForLoss = false;
  private readonly watcher: NodeJS.Timeout;
  private server: Server | null = null;

  constructor(private readonly options: LifecycleOptions) {
    this.gate = new StreamGate(() => {
      const readiness = this.readiness();
      return readiness.ready ? null : readiness.reason;
    });
    this.watcher = setInterval(() => this.watchBackend(), WATCH_INTERVAL_MS).unref();
  }

  readiness(): Readiness {
    if (this.draining) return { ready: false, reason: SHUTTING_DOWN };
    return this.options.backend.readiness();
  }

  /**
   * Takes charge of `server`'s connections. While draining, every response closes its connection once
   * sent: the client's next request (a stream's reconnect above all) opens a new one, which a load
   * balancer can send to another server. A stream opened before the drain announced keep-alive, so its
   * socket is ended after its last byte.
   */
  attach(server: Server): void {
    this.server = server;
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.draining && !res.headersSent) res.setHeader('connection', 'close');
      res.once('finish', () => {
        if (this.draining) req.socket.end();
      });
    });
  }

  /** Drains and stops the process (see the class); a second call while draining is ignored. */
  async shutdown(signal: string, stopWork: () => Promise<void>): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    clearInterval(this.watcher);
    const { logger, spreadMs, timeoutMs, exit } = this.options;
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs, streams: this.gate.size }, 'shutdown deadline passed: exiting with work left');
      exit(1);
    }, timeoutMs);
    // A client that stopped reading cannot take its stream's end, which then never releases: connections
    // still open shortly before the deadline are cut, leaving time to close Redis and exit 0.
    const cut = setTimeout(
      () => {
        logger.warn({ streams: this.gate.size }, 'cutting the connections still open');
        this.server?.closeAllConnections();
      },
      Math.max(spreadMs, timeoutMs - Math.min(1_000, timeoutMs / 4)),
    );
    logger.info({ signal, streams: this.gate.size, spreadMs }, 'draining: not ready, open streams end over the window');
    const work = stopWork();
    await this.gate.endOpen(SHUTTING_DOWN, spreadMs);
    await this.gate.whenEmpty();
    const { server } = this;
    if (server) {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeIdleConnections();
      });
    }
    await work;
    clearTimeout(cut);
    await this.options.backend.close();
    clearTimeout(deadline);
    logger.info({}, 'stopped');
    exit(0);
  }

  private watchBackend(): void {
    const readiness = this.options.backend.readiness();
    const { logger, redisLossGraceMs, spreadMs } = this.options;
    if (readiness.ready) {
      if (this.unusableSince !== null) logger.info({}, 'the backend is usable again: admitting streams');
      this.unusableSince = null;
      if (this.endingForLoss) this.gate.stopEnding();
      this.endingForLoss = false;
      return;
    }
    const now = performance.now();
    if (this.unusableSince === null) {
      this.unusableSince = now;
      logger.warn({ reason: readiness.reason }, 'the backend is unusable: refusing new streams');
    }
    if (!this.endingForLoss && now - this.unusableSince >= redisLossGraceMs) {
      this.endingForLoss = true;
      logger.warn(
        { reason: readiness.reason, streams: this.gate.size },
        'ending open streams: the backend is still unusable',
      );
      void this.gate.endOpen(readiness.reason, spreadMs);
    }
  }
}
