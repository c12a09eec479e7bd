import type { WorkerMetrics } from '@threadcast/runner';
import { Counter, type Registry } from 'prom-client';

/** The worker series, for a worker process and for the worker a server embeds. */
export class PromWorkerMetrics implements WorkerMetrics {
  private readonly tokens: Counter;

  constructor(registry: Registry) {
    this.tokens = new Counter({
      name: 'threadcast_worker_tokens_total',
      help: 'Token events the worker in this process published (stored on their thread)',
      registers: [registry],
    });
  }

  tokensPublished(count: number): void {
    this.tokens.inc(count);
  }
}
