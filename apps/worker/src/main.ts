import { writeFile } from 'node:fs/promises';
import { agentConfigFromEnv, createAgent, exitOnBadEnv, runWorker, workerOptionsFromEnv } from '@threadcast/runner';
import { backendConfigFromEnv, openBackend } from '@threadcast/store/backend';
import { pino } from 'pino';
import { readEnv } from './env.ts';

const env = exitOnBadEnv(readEnv);
const logger = pino({ level: env.LOG_LEVEL, base: { service: 'threadcast-worker' } });
const backend = openBackend({ ...backendConfigFromEnv(env), logger });

const stop = new AbortController();
const worker = runWorker({
  ...backend,
  ...workerOptionsFromEnv(env),
  agent: createAgent(agentConfigFromEnv(env)),
  logger,
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
  await worker;
  await backend.close();
  logger.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
