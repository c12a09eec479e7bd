import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedProcess, startProcess } from './child-process.ts';
import { freePort } from './free-port.ts';

export interface TestRedis extends AsyncDisposable {
  url: string;
  port: number;
  readonly process: StartedProcess;
  /** Kills the server (SIGKILL: no goodbye to clients) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills the server (SIGKILL) and leaves it down until `start`. */
  kill(): Promise<void>;
  /** Starts a killed server again on the same port (a no-op while it runs). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function spawnRedis(port: number, dir: string, persistent: boolean): StartedProcess {
  return startProcess('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    persistent ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--dir',
    dir,
    '--protected-mode',
    'yes',
  ]);
}

/**
 * Starts a throw-away `redis-server` on a free loopback port (never the shared 6379). It keeps nothing
 * across a restart unless `persistent` (append-only file, fsync on every write, in a temporary folder). Retries with another port if the chosen one was taken in between.
 */
export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<TestRedis> {
  const persistent = options.persistent ?? false;
  const dir = await mkdtemp(join(tmpdir(), 'threadcast-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    let proc = spawnRedis(port, dir, persistent);
    try {
      await proc.waitForLine(/Ready to accept connections/, 15_000);
    } catch (error) {
      lastError = error;
      await proc.stop('SIGKILL');
      continue;
    }
    const kill = () => proc.stop('SIGKILL');
    const start = async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) return;
      proc = spawnRedis(port, dir, persistent);
      await proc.waitForLine(/Ready to accept connections/, 15_000);
    };
    const stop = async () => {
      await proc.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    };
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      get process() {
        return proc;
      },
      async restart() {
        await kill();
        await start();
      },
      kill,
      start,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
