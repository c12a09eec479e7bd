import {
  type AppProcess,
  type StartedProcess,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  type TestRedis,
} from '@threadcast/testkit';
import { fromBuild, scaledEnv } from '../stack-env.ts';
import { type RunningNginx, startNginx } from './nginx.ts';

/**
 * Milliseconds the demo agent waits before each token in this stack: slow enough to see a run stream, and for
 * a page on a loaded machine to keep within a few tokens of the servers (streaming.spec.ts counts how far it trails).
 */
export const PROXY_TOKEN_DELAY_MS = 100;

/** threadcast as deployed behind nginx: one Redis, a worker, two servers without workers, nginx in front. */
export interface ProxyStack {
  nginx: RunningNginx;
  /** The servers nginx balances over, by `host:port` (the form nginx's `$upstream_addr` takes). */
  servers: ReadonlyMap<string, AppProcess>;
  /** SIGKILLs the server at `address` (until `reviveKilled`). */
  killServer(address: string): Promise<void>;
  /** Starts every killed server again, on its port. */
  reviveKilled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startProxyStack(): Promise<ProxyStack> {
  const started: (StartedProcess | TestRedis | RunningNginx)[] = [];
  const servers = new Map<string, AppProcess>();
  const killed = new Set<string>();
  try {
    const redis = await startRedisServer();
    started.push(redis);
    const env = {
      ...scaledEnv(redis.url),
      AGENT_TOKEN_DELAY_MS: String(PROXY_TOKEN_DELAY_MS),
      EMBEDDED_WORKER: '0',
      TRUST_PROXY: '1',
    };
    const [worker, first, second] = await startAll([
      startWorkerProcess(env, fromBuild),
      startServerProcess(env, fromBuild),
      startServerProcess(env, fromBuild),
    ] as const);
    started.push(worker, first, second);
    for (const server of [first, second]) servers.set(new URL(server.url).host, server);
    const nginx = await startNginx({ upstreams: [...servers.keys()] });
    started.push(nginx);

    return {
      nginx,
      servers,
      async killServer(address) {
        const server = servers.get(address);
        if (!server) throw new Error(`no server at ${address}; the stack has ${[...servers.keys()].join(', ')}`);
        killed.add(address);
        await server.stop('SIGKILL');
      },
      async reviveKilled() {
        for (const address of killed) {
          const revived = await startServerProcess({ ...env, PORT: new URL(`http://${address}`).port }, fromBuild);
          servers.set(address, revived);
          started.push(revived);
          killed.delete(address);
        }
      },
      async stop() {
        await Promise.allSettled(started.map((part) => part.stop()));
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((part) => part.stop()));
    throw error;
  }
}

/** Waits for every process to start; if one fails, stops those that did start and throws its error. */
async function startAll<const T extends readonly Promise<StartedProcess>[]>(
  starting: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(starting);
  const failed = results.find((result) => result.status === 'rejected');
  if (!failed) {
    return results.map((result) => (result as PromiseFulfilledResult<StartedProcess>).value) as {
      -readonly [K in keyof T]: Awaited<T[K]>;
    };
  }
  await Promise.allSettled(results.map((result) => (result.status === 'fulfilled' ? result.value.stop() : null)));
  throw failed.reason;
}
