import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { backendConfigFromEnv, openBackend } from '@threadcast/backend';
import { exitOnBadEnv } from '@threadcast/common/env';
import { createLogger, createWorkerMetrics, listenForMetrics } from '@threadcast/observability';
import { agentConfigFromEnv, createAgent, runWorker, workerOptionsFromEnv } from '@threadcast/runner';
import { readEnv } from './env.ts';

const env = exitOnBadEnv(readEnv);
const logger = createLogger({ service: 'threadcast-worker', level: env.LOG_LEVEL });
const backend = openBackend({ ...backendConfigFromEnv(env), logger });
// A cluster or Sentinel set that does not answer is a configuration error: say so and stop.
await backend.verify().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await backend.close();
  process.exit(2);
});
const metrics = createWorkerMetrics({ backend, instanceId: env.INSTANCE_ID, token: env.METRICS_TOKEN, logger });

// Listening first: a port already taken stops the worker before it takes any run.
const metricsServer =
  env.WORKER_METRICS_PORT === undefined
    ? null
    : await listenForMetrics(metrics.endpoint, env.WORKER_METRICS_PORT, env.WORKER_METRICS_HOST).catch(
        (error: unknown) => {
          process.stderr.write(`could not serve metrics on port ${env.WORKER_METRICS_PORT}: ${String(error)}\n`);
          process.exit(2);
        },
      );
if (metricsServer) {
  const { port } = metricsServer.address() as AddressInfo;
  process.stdout.write(`threadcast worker metrics at http://${env.WORKER_METRICS_HOST}:${port}/metrics\n`);
}

const stop = new AbortController();
const worker = runWorker({
  ...backend,
  ...workerOptionsFromEnv(env),
  agent: createAgent(agentConfigFromEnv(env)),
  logger,
  metrics: metrics.worker,
  signal: stop.signal,
});
logger.info({ concurrency: env.WORKER_CONCURRENCY, agent: env.AGENT }, 'worker started');
process.stdout.write(
  `threadcast worker is taking runs (agent: ${env.AGENT}, concurrency: ${env.WORKER_CONCURRENCY})\n`,
);

const heartbeatFile = env.WORKER_HEARTBEAT_FILE;
function beat(file: string): void {
  writeFile(file, String(Date.now())).catch((error: unknown) =>
    logger.warn({ err: error }, 'could not write the heartbeat file'),
  );
}
if (heartbeatFile) beat(heartbeatFile);
const heartbeat = heartbeatFile ? setInterval(() => beat(heartbeatFile), 5_000) : null;

// A signal can arrive twice (to the process group and relayed by a wrapper such as tsx): act on the first.
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: no new runs, finishing the ones in progress');
  stop.abort();
  if (heartbeat) clearInterval(heartbeat);
  metricsServer?.close();
  await worker;
  await backend.close();
  logger.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
