import { fileURLToPath } from 'node:url';
import { createAppRouter, createContextFactory } from '@threadcast/api';
import { backendConfigFromEnv, openBackend } from '@threadcast/backend';
import { exitOnBadEnv } from '@threadcast/common/env';
import { createLogger, createServerMetrics } from '@threadcast/observability';
import {
  agentConfigFromEnv,
  createAgent,
  runWorker,
  startOrphanReaper,
  workerOptionsFromEnv,
} from '@threadcast/runner';
import { configureAuth } from './auth.ts';
import { lifecycleFromEnv, limitsFromEnv, readEnv } from './env.ts';
import { createHttpServer } from './http-server.ts';
import { ServerLifecycle } from './lifecycle.ts';

const env = exitOnBadEnv(readEnv);
const logger = createLogger({ service: 'threadcast-server', level: env.LOG_LEVEL });

const backend = openBackend({ ...backendConfigFromEnv(env), logger });
// A cluster or Sentinel set that does not answer is a configuration error: say so and stop.
await backend.verify().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await backend.close();
  process.exit(2);
});
const { tokens, devLoginEnabled } = configureAuth(env, logger);
const metrics = createServerMetrics({ backend, instanceId: env.INSTANCE_ID, token: env.METRICS_TOKEN, logger });
const lifecycle = new ServerLifecycle({
  backend,
  logger,
  ...lifecycleFromEnv(env),
  exit: (code) => process.exit(code),
});

const server = createHttpServer({
  router: createAppRouter({ heartbeatMs: env.SSE_HEARTBEAT_MS, maxDurationMs: env.SSE_MAX_DURATION_MS }),
  createContext: createContextFactory({
    ...backend,
    tokens,
    devLoginEnabled,
    logger,
    limits: limitsFromEnv(env),
    metrics: metrics.streams,
    gate: lifecycle.gate,
  }),
  webDist: env.WEB_DIST ?? fileURLToPath(new URL('../../web/dist', import.meta.url)),
  logger,
  corsOrigins: env.CORS_ORIGINS,
  limits: { bodyMaxBytes: env.BODY_MAX_BYTES, urlMaxBytes: env.URL_MAX_BYTES },
  trustProxy: env.TRUST_PROXY === '1',
  metrics: metrics.endpoint,
  readiness: () => lifecycle.readiness(),
});
lifecycle.attach(server);

const stopWorker = new AbortController();
const embeddedWorker = backend.engine === 'memory' || env.EMBEDDED_WORKER === '1';
const worker = embeddedWorker
  ? runWorker({
      ...backend,
      ...workerOptionsFromEnv(env),
      agent: createAgent(agentConfigFromEnv(env)),
      logger,
      metrics: metrics.worker,
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

// Drains (see lifecycle.ts): /readyz turns 503, streams end spread over SHUTDOWN_SPREAD_MS, then the process exits.
async function stopWork(): Promise<void> {
  stopWorker.abort();
  reaper?.stop();
  await worker;
}
process.on('SIGTERM', () => void lifecycle.shutdown('SIGTERM', stopWork));
process.on('SIGINT', () => void lifecycle.shutdown('SIGINT', stopWork));
