import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type StartedProcess, startProcess } from './child-process.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface AppProcess extends StartedProcess {
  /** Base URL the server printed (servers only). */
  url: string;
}

export interface AppProcessOptions {
  /**
   * `source` (default): `src/main.ts` through tsx's loader, as the app's `start` script runs it. `build`:
   * `dist/main.js` with plain node, as production runs it (`pnpm build` first).
   */
  from?: 'source' | 'build';
  /** Forward the process's output to this stream (for debugging a failing test). */
  echo?: NodeJS.WritableStream;
}

const ENTRY = {
  source: ['--import', 'tsx', 'src/main.ts'],
  build: ['--enable-source-maps', 'dist/main.js'],
} as const;

/**
 * Node itself, no launcher process in between, so a signal reaches the app itself (the `tsx` CLI relays one,
 * and kills the app if it does not confirm receipt within about 60 ms, which a busy event loop can miss: a
 * SIGTERM would become a SIGKILL).
 */
function startApp(app: 'server' | 'worker', env: Record<string, string>, options: AppProcessOptions): StartedProcess {
  const cwd = `${root}apps/${app}`;
  const from = options.from ?? 'source';
  if (from === 'build' && !existsSync(`${cwd}/dist/main.js`))
    throw new Error(`apps/${app} is not built: run \`pnpm build\` first`);
  return startProcess(process.execPath, [...ENTRY[from]], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    echo: options.echo,
  });
}

/** Starts `apps/server` as its own process on a free port and resolves once it prints its URL. */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: AppProcessOptions = {},
): Promise<AppProcess> {
  const proc = startApp('server', { PORT: '0', HOST: '127.0.0.1', ...env }, options);
  const [, url] = (await proc.waitForLine(/threadcast is running at (http:\/\/\S+)/)) as [string, string];
  return Object.assign(proc, { url: url.replace('localhost', '127.0.0.1') });
}

/** Starts `apps/worker` as its own process and resolves once it is taking runs. */
export async function startWorkerProcess(
  env: Record<string, string>,
  options: AppProcessOptions = {},
): Promise<StartedProcess> {
  const proc = startApp('worker', env, options);
  await proc.waitForLine(/threadcast worker is taking runs/);
  return proc;
}
