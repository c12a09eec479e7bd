import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type Balancer, startBalancer } from '@threadcast/testkit/balancer';
import { type StartedProcess, startProcess } from '@threadcast/testkit/child-process';
import { freePort } from '@threadcast/testkit/free-port';
import { startRedisServer, type TestRedis } from '@threadcast/testkit/redis-server';
import type { AppCommand, ThreadcastOptions } from './options.ts';

/** How long an app process may take to become ready: a loaded 2-core machine starts node slowly. */
const START_TIMEOUT_MS = 60_000;

/** The servers of a kit-started threadcast, by name (`server-1`, `server-2`…), in the balancer's failover order. */
export interface Servers {
  readonly names: readonly string[];
  /** The server's own URL (not through the balancer or the relay). */
  url(name: string): string;
  /** SIGKILLs the server: its connections drop with no goodbye, as when a machine dies. */
  kill(name: string): Promise<void>;
  /** SIGTERMs the server and waits for it to exit: it drains its streams, as in a rolling deploy. */
  drain(name: string): Promise<void>;
  /** Starts a killed or drained server again, on its port; resolves once it is ready. */
  start(name: string): Promise<void>;
  /** Whether the server's process is running. */
  running(name: string): boolean;
  /** The server that holds the most connections through the balancer now (the one a page streams from). */
  holding(): string;
}

export interface Stack {
  /** Where the app is served: the balancer in front of the kit's servers, or `threadcastUrl`. */
  readonly url: string;
  /** The kit's servers; null when the kit started none (`threadcastUrl`). */
  readonly servers: (Servers & { reviveAll(): Promise<void> }) | null;
  stop(): Promise<void>;
}

/** Resolves once `url/readyz` answers 200; rejects if `proc` exits first or `timeoutMs` passes. */
async function untilReady(proc: StartedProcess, url: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = proc.child.exitCode !== null || proc.child.signalCode !== null;
  proc.child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`the threadcast server exited before it was ready:\n${proc.output()}`);
    const answered = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (answered) return;
    if (Date.now() > deadline)
      throw new Error(`the threadcast server at ${url} was not ready within ${timeoutMs} ms:\n${proc.output()}`);
    // Another process's readiness has no event to wait on: it is asked again shortly.
    await new Promise((done) => setTimeout(done, 100));
  }
}

function spawnApp(app: AppCommand, configDir: string, env: Record<string, string>): StartedProcess {
  const [command, ...args] = app.command;
  if (!command) throw new Error('a threadcast command is empty: give at least the program to run');
  return startProcess(command, args, {
    cwd: resolve(configDir, app.cwd ?? '.'),
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
}

/** A server on a free port, started again on another one if that port was taken in between. */
async function startServer(
  app: AppCommand,
  configDir: string,
  env: Record<string, string>,
  port?: number,
): Promise<{ proc: StartedProcess; port: number }> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === undefined ? 3 : 1); attempt += 1) {
    const chosen = port ?? (await freePort());
    const proc = spawnApp(app, configDir, { ...env, PORT: String(chosen), HOST: '127.0.0.1' });
    try {
      await untilReady(proc, `http://127.0.0.1:${chosen}`);
      return { proc, port: chosen };
    } catch (error) {
      lastError = error;
      await proc.stop('SIGKILL');
    }
  }
  throw lastError;
}

/** Starts threadcast as the options say; `configDir` is where relative commands run. */
export async function startStack(options: ThreadcastOptions, configDir: string): Promise<Stack> {
  if (options.threadcastUrl) {
    return { url: options.threadcastUrl.replace(/\/+$/, ''), servers: null, stop: async () => {} };
  }
  if (options.threadcastEngine !== 'embedded' && options.threadcastEngine !== 'redis')
    throw new TypeError(`threadcastEngine is 'embedded' or 'redis', not ${JSON.stringify(options.threadcastEngine)}`);
  const server = options.threadcastServer;
  if (!server)
    throw new Error(
      'set threadcastServer (how to start a threadcast server, e.g. { command: ["node", "apps/server/dist/main.js"] }) or threadcastUrl in the Playwright config',
    );
  const count = options.threadcastServers;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`threadcastServers must be 1 or more, not ${count}`);
  if (options.threadcastEngine === 'embedded' && count > 1)
    throw new Error('several servers share one thread only through Redis: use threadcastEngine "redis"');

  const stoppable: { stop(): Promise<void> }[] = [];
  const procs = new Map<string, { proc: StartedProcess; port: number }>();
  let balancer: Balancer | undefined;
  try {
    const env: Record<string, string> = {
      AGENT_TOKEN_DELAY_MS: String(options.threadcastPace),
      ...options.threadcastEnv,
    };
    if (options.threadcastEngine === 'redis') {
      const redis: TestRedis = await startRedisServer();
      stoppable.push(redis);
      Object.assign(env, {
        REDIS_URL: redis.url,
        // Every server must verify every other's sessions: one secret, made for this run.
        AUTH_SECRET: randomBytes(32).toString('base64url'),
        AUTH_DEV_LOGIN: '1',
        EMBEDDED_WORKER: options.threadcastWorker ? '0' : '1',
      });
      if (options.threadcastWorker) {
        const worker = spawnApp(options.threadcastWorker, configDir, env);
        stoppable.push(worker);
        await worker.waitForLine(/worker is taking runs/, START_TIMEOUT_MS);
      }
    }
    const names = Array.from({ length: count }, (_, i) => `server-${i + 1}`);
    const started = await Promise.allSettled(names.map(() => startServer(server, configDir, env)));
    started.forEach((result, i) => {
      if (result.status === 'fulfilled') procs.set(names[i] as string, result.value);
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    balancer = await startBalancer(names.map((name) => (procs.get(name) as { port: number }).port));
    const entry = balancer;

    const known = (name: string) => {
      const found = procs.get(name);
      if (!found) throw new Error(`no server named ${name}: the servers are ${names.join(', ')}`);
      return found;
    };
    const isRunning = (name: string) => {
      const { proc } = known(name);
      return proc.child.exitCode === null && proc.child.signalCode === null;
    };
    const servers: Servers & { reviveAll(): Promise<void> } = {
      names,
      url: (name) => `http://127.0.0.1:${known(name).port}`,
      kill: (name) => known(name).proc.stop('SIGKILL'),
      drain: (name) => known(name).proc.stop('SIGTERM'),
      async start(name) {
        if (isRunning(name)) return;
        procs.set(name, await startServer(server, configDir, env, known(name).port));
      },
      running: isRunning,
      holding() {
        let best = names[0] as string;
        for (const name of names) if (entry.openTo(known(name).port) > entry.openTo(known(best).port)) best = name;
        return best;
      },
      async reviveAll() {
        await Promise.all(names.filter((name) => !isRunning(name)).map((name) => servers.start(name)));
      },
    };
    return {
      url: `http://127.0.0.1:${entry.port}`,
      servers,
      async stop() {
        await entry.close();
        await Promise.allSettled([...procs.values()].map(({ proc }) => proc.stop()));
        await Promise.allSettled(stoppable.reverse().map((part) => part.stop()));
      },
    };
  } catch (error) {
    await balancer?.close();
    await Promise.allSettled([...procs.values()].map(({ proc }) => proc.stop('SIGKILL')));
    await Promise.allSettled(stoppable.reverse().map((part) => part.stop()));
    throw error;
  }
}
