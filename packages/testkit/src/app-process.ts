import { fileURLToPath } from 'node:url';
import { type StartedProcess, startProcess } from './child-process.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

export interface AppProcess extends StartedProcess {
  /** Base URL the server printed (servers only). */
  url: string;
}

/**
 * As the app's `start` script runs it: node with tsx's loader, no launcher process in between, so a
 * signal reaches the app itself (the `tsx` CLI relays one, and kills the app if it does not confirm
 * receipt within about 60 ms, which a busy event loop can miss: a SIGTERM would become a SIGKILL).
 */
function startApp(app: 'server' | 'worker', env: Record<string, string>, echo?: NodeJS.WritableStream): StartedProcess {
  const cwd = `${root}apps/${app}`;
  return startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    echo,
  });
}

/** Starts `apps/server` as its own process on a free port and resolves once it prints its URL. */
export async function startServerProcess(
  env: Record<string, string> = {},
  echo?: NodeJS.WritableStream,
): Promise<AppProcess> {
  const proc = startApp('server', { PORT: '0', HOST: '127.0.0.1', ...env }, echo);
  const [, url] = (await proc.waitForLine(/threadcast is running at (http:\/\/\S+)/)) as [string, string];
  return Object.assign(proc, { url: url.replace('localhost', '127.0.0.1') });
}

/** Starts `apps/worker` as its own process and resolves once it is taking runs. */
export async function startWorkerProcess(
  env: Record<string, string>,
  echo?: NodeJS.WritableStream,
): Promise<StartedProcess> {
  const proc = startApp('worker', env, echo);
  await proc.waitForLine(/threadcast worker is taking runs/);
  return proc;
}
