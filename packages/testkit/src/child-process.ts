import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StartedProcess extends AsyncDisposable {
  readonly child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first output line matching `pattern` (or rejects if the process exits first). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` to the whole process group and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Forward the process's output to this stream (for debugging a failing test). */
  echo?: NodeJS.WritableStream;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAll(): void {
  for (const child of running) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Kills whatever a test run started if the runner itself exits early or is interrupted. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      // Then die of the same signal, as the process would have without this listener.
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Kills `child`'s process group (it must be spawned with `detached: true`) if this process exits or is
 * interrupted before the child ends. `startProcess` does it for its own children.
 */
export function killOnExit(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/**
 * Starts a command in its own process group, so that stopping it also stops everything it started
 * (a `pnpm` or `tsx` wrapper and the node process under it).
 */
export function startProcess(command: string, args: string[], options: StartProcessOptions = {}): StartedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const lineWaiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    options.echo?.write(chunk);
    for (const wake of lineWaiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = once(child, 'exit').then(() => {
    for (const wake of lineWaiters) wake();
  });
  let hasExited = false;
  child.once('exit', () => {
    hasExited = true;
  });

  const started: StartedProcess = {
    child,
    output: () => text,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of text.split('\n')) {
            const match = line.match(pattern);
            if (match) return finish(() => resolve(match));
          }
          if (hasExited) {
            finish(() =>
              reject(
                new Error(
                  `${command} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${text}`,
                ),
              ),
            );
          }
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms:\n${text}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          lineWaiters.delete(check);
          settle();
        };
        lineWaiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      running.delete(child);
      if (hasExited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(killer);
    },
    [Symbol.asyncDispose]() {
      return started.stop();
    },
  };
  killOnExit(child);
  return started;
}
