import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '@threadcast/testkit';
import type { LoadCommand, LoadReply } from './protocol.ts';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('./load-generator.ts', import.meta.url));

type ReplyOf<T extends LoadReply['type']> = Extract<LoadReply, { type: T }>;

/** The orchestrator's handle on one load generator child: request/reply over IPC, one request at a time. */
export class LoadGeneratorProcess {
  private readonly replies: LoadReply[] = [];
  private waiter: ((reply: LoadReply | Error) => void) | null = null;
  private exitError: Error | null = null;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (reply: LoadReply) => this.deliver(reply));
    child.once('exit', (code, signal) => {
      this.exitError = new Error(`load generator exited (${code ?? signal})`);
      this.waiter?.(this.exitError);
    });
  }

  /**
   * Starts a child in its own process group. Node raises its soft fd limit to the hard one by itself, so
   * no `ulimit` wrapper is needed for the child (see the README for the hard limit the run needs).
   */
  static async start(): Promise<LoadGeneratorProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: benchDir,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    killOnExit(child);
    const generator = new LoadGeneratorProcess(child);
    await generator.next('ready', 30_000);
    return generator;
  }

  get alive(): boolean {
    return this.exitError === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async request<T extends LoadReply['type']>(command: LoadCommand, expect: T, timeoutMs: number): Promise<ReplyOf<T>> {
    if (this.exitError) throw this.exitError;
    this.child.send(command);
    return this.next(expect, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.exitError || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const killer = setTimeout(() => {
      try {
        if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await exited;
    clearTimeout(killer);
  }

  kill(): void {
    this.exitError ??= new Error('load generator was killed');
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private deliver(reply: LoadReply): void {
    if (this.waiter) this.waiter(reply);
    else this.replies.push(reply);
  }

  private next<T extends LoadReply['type']>(expect: T, timeoutMs: number): Promise<ReplyOf<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        // A late reply would answer the next request: this child is done.
        this.kill();
        reject(new Error(`load generator sent no "${expect}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = (reply: LoadReply | Error) => {
        clearTimeout(timer);
        this.waiter = null;
        if (reply instanceof Error) reject(reply);
        else if (reply.type === 'failed') reject(new Error(`load generator failed: ${reply.message}`));
        else if (reply.type !== expect) reject(new Error(`load generator sent "${reply.type}", expected "${expect}"`));
        else resolve(reply as ReplyOf<T>);
      };
      const queued = this.replies.shift();
      if (queued) settle(queued);
      else if (this.exitError) settle(this.exitError);
      else this.waiter = settle;
    });
  }
}
