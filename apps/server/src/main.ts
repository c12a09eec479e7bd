import { fileURLToPath } from 'node:url';
import { createAppRouter, createContextFactory } from '@threadcast/api';
import {
  agentConfigFromEnv,
  createAgent,
  exitOnBadEnv,
  runWorker,
  startOrphanReaper,
  workerOptionsFromEnv,
} from '@threadcast/runner';
import { backendConfigFromEnv, openBackend } from '@threadcast/store/backend';
import { pino } from 'pino';
import { configureAuth } from './auth.ts';
import { limitsFromEnv, readEnv } from './env.ts';
import { createHttpServer } from './http-server.ts';

const env = exitOnBadEnv(readEnv);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'threadcast-server' } });

const backend = openBackend({ ...backendConfigFromEnv(env), logger });
const { tokens, devLoginEnabled } = configureAuth(env, logger);

const server = createHttpServer({
  router: createAppRouter({ heartbeatMs: env.SSE_HEARTBEAT_MS }),
  createContext: createContextFactory({ ...backend, tokens, devLoginEnabled, logger, limits: limitsFromEnv(env) }),
  webDist: env.WEB_DIST ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
  logger,
  corsOrigins: env.CORS_ORIGINS,
  limits: { bodyMaxBytes: env.BODY_MAX_BYTES, urlMaxBytes: env.URL_MAX_BYTES },
  trustProxy: env.TRUST_PROXY === '1',
  sseMode: env.SSE_MODE,
});

const stopWorker = new AbortController();
const embeddedWorker = backend.engine === 'memory' || env.EMBEDDED_WORKER === '1';
const worker = embeddedWorker
  ? runWorker({
      ...backend,
      ...workerOptionsFromEnv(env),
      agent: createAgent(agentConfigFromEnv(env)),
      logger,
      signal: stopWorker.signal,
    })
  : Promise.resolve();
// Without an embedded worker the server still ends runs whose worker died (the worker's loop does it otherwise).
const reaper = embeddedWorker
  ? null
  : startOrphanReaper({ ...backend, logger, leaseMs: workerOptionsFromEnv(env).leaseMs });

server.listen(env.PORT, env.HOST, () => {
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : env.PORT;
  const url = `http://localhost:${port}`;
  logger.info({ url, engine: backend.engine, embeddedWorker }, 'listening');
  process.stdout.write(
    `threadcast is running at ${url} (engine: ${backend.engine}, worker: ${embeddedWorker ? 'embedded' : 'separate'})\n`,
  );
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  // Open streams would keep the server up forever; their clients reconnect and resume from their last id.
  server.closeAllConnections();
  stopWorker.abort();
  reaper?.stop();
  await Promise.all([closed, worker]);
  await backend.close();
  logger.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
