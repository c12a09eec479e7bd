import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay, type EventBus, type Logger } from '@threadcast/bus';
import type { RunQueue } from '@threadcast/store';
import type { Agent } from './agent.ts';
import { executeRun } from './execute-run.ts';

export interface RunWorkerOptions {
  queue: RunQueue;
  bus: EventBus;
  agent: Agent;
  logger: Logger;
  /** Runs this worker streams at once. */
  concurrency: number;
  /** Aborting stops taking runs; runs in progress get `shutdownGraceMs` to finish, then are ended with an error. */
  signal: AbortSignal;
  shutdownGraceMs?: number;
}

/** Takes runs from the queue and streams them until the signal aborts; resolves once every run it took has ended. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { queue, bus, agent, logger, concurrency, signal } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const runs = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let takeFailures = 0;

  while (!signal.aborted) {
    if (inFlight.size >= concurrency) {
      await Promise.race([
        ...inFlight,
        new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
      ]);
      continue;
    }
    let job: Awaited<ReturnType<RunQueue['take']>>;
    try {
      job = await queue.take(signal);
    } catch (error) {
      // The queue is unreachable (Redis down): wait and try again rather than end the worker.
      const delayMs = backoffDelay(takeFailures, 100, 5_000);
      takeFailures += 1;
      logger.warn({ err: error, delayMs }, 'could not take a run; retrying');
      await delay(delayMs, undefined, { signal }).catch(() => undefined);
      continue;
    }
    takeFailures = 0;
    if (!job) break;
    const started = Date.now();
    const run = executeRun(job, { bus, agent, logger, signal: runs.signal })
      .then((outcome) => {
        logger.info(
          {
            runId: job.runId,
            threadId: job.threadId,
            state: outcome.state,
            tokens: outcome.tokenCount,
            ms: Date.now() - started,
          },
          'run ended',
        );
      })
      .catch((error: unknown) => {
        logger.error({ err: error, runId: job.runId, threadId: job.threadId }, 'run could not be streamed');
      })
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  }

  if (inFlight.size > 0) {
    const grace = setTimeout(() => runs.abort(), options.shutdownGraceMs ?? 10_000);
    await Promise.allSettled([...inFlight]);
    clearTimeout(grace);
  }
}
