import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type StartedProcess,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import { appEnv, fromBuild, scaledEnv } from './stack-env.ts';

const webDist = fileURLToPath(new URL('../apps/web/dist/index.html', import.meta.url));

/**
 * Starts both ways of running threadcast from the build, each on a free port: the embedded single process
 * (memory engine), and a server plus a separate worker process sharing a throw-away redis-server. Their URLs reach the
 * tests through the environment; the returned function stops every process.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(webDist)) throw new Error('the web app is not built: run `pnpm build` first (`pnpm test:e2e` does)');
  const started: (StartedProcess | TestRedis)[] = [];
  try {
    const embedded = await startServerProcess(appEnv, fromBuild);
    started.push(embedded);
    const redis = await startRedisServer();
    started.push(redis);
    const scaled = scaledEnv(redis.url);
    const worker = await startWorkerProcess(scaled, fromBuild);
    started.push(worker);
    const server = await startServerProcess({ ...scaled, EMBEDDED_WORKER: '0' }, fromBuild);
    started.push(server);
    process.env.E2E_EMBEDDED_URL = embedded.url;
    process.env.E2E_REDIS_URL = server.url;
    process.env.E2E_REDIS_SERVER_URL = redis.url;
  } catch (error) {
    await Promise.allSettled(started.map((p) => p.stop()));
    throw error;
  }
  return async () => {
    await Promise.allSettled(started.map((p) => p.stop()));
  };
}
