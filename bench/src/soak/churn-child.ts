import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { killOnExit } from '@threadcast/testkit';
import type { ChurnCommand, ChurnPlan, ChurnReply, ChurnReport } from './churn-protocol.ts';

const benchDir = fileURLToPath(new URL('../..', import.meta.url));
const entry = fileURLToPath(new URL('./churn-process.ts', import.meta.url));
const REPLY_TIMEOUT_MS = 30_000;

/** The orchestrator's handle on the churn child: one request, one reply, over IPC. */
export class ChurnChild {
  private waiter: ((reply: ChurnReply | Error) => void) | null = null;
  private exitError: Error | null = null;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ChurnReply) => this.waiter?.(reply));
    child.once('exit', (code, signal) => {
      this.exitError = new Error(`the churn child exited (${code ?? signal})`);
      this.waiter?.(this.exitError);
    });
  }

  static async start(plan: ChurnPlan): Promise<ChurnChild> {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: benchDir,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    killOnExit(child);
    const churn = new ChurnChild(child);
    await churn.next('ready');
    churn.send({ type: 'start', plan });
    return churn;
  }

  async report(): Promise<ChurnReport> {
    this.send({ type: 'report' });
    return (await this.next('report')).report;
  }

  /** Closes every stream and returns the last figures. */
  async stop(): Promise<ChurnReport> {
    this.send({ type: 'stop' });
    return (await this.next('stopped')).report;
  }

  async exit(): Promise<void> {
    if (this.exitError || this.child.exitCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.disconnect();
    await exited;
  }

  private send(command: ChurnCommand): void {
    if (this.exitError) throw this.exitError;
    this.child.send(command);
  }

  private next<T extends ChurnReply['type']>(type: T): Promise<Extract<ChurnReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`the churn child sent no "${type}" in time`)), REPLY_TIMEOUT_MS);
      const settle = (reply: ChurnReply | Error) => {
        clearTimeout(timer);
        this.waiter = null;
        if (reply instanceof Error) reject(reply);
        else if (reply.type === 'failed') reject(new Error(`the churn child failed: ${reply.message}`));
        else if (reply.type !== type) reject(new Error(`the churn child sent "${reply.type}", expected "${type}"`));
        else resolve(reply as Extract<ChurnReply, { type: T }>);
      };
      if (this.exitError) settle(this.exitError);
      else this.waiter = settle;
    });
  }
}
