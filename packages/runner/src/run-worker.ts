import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { EventBus } from '@threadcast/bus';
import { backoffDelay, type Logger } from '@threadcast/common';
import { endRun, isEnded, publishRunEnd, type RunLease, type RunQueue, type RunStore } from '@threadcast/store';
import type { Agent } from './agent.ts';
import { executeRun, type WorkerMetrics } from './execute-run.ts';
import type { ToolRegistry } from './tools/tool.ts';

export interface RunWorkerOptions {
  queue: RunQueue;
  runs: RunStore;
  bus: EventBus;
  agent: Agent;
  logger: Logger;
  /** Runs this worker streams at once. */
  concurrency: number;
  /** Aborting stops taking runs; runs in progress get `shutdownGraceMs` to finish, then end `error`. */
  signal: AbortSignal;
  shutdownGraceMs?: number;
  /**
   * A run whose worker has not renewed its lease for this long is taken to be orphaned (its worker
   * died) and ended `error` by another worker; a run that had not started yet is queued again.
   */
  leaseMs?: number;
  /** Events a run sends before waiting for their replies. */
  publishWindow?: number;
  metrics?: WorkerMetrics;
  /** The tools the model may call (default: the built-in ones). */
  tools?: ToolRegistry;
  /** Model calls one run may make (default 8). */
  maxSteps?: number;
}

export const DEFAULT_LEASE_MS = 10_000;
const ORPHANED = 'the worker running it stopped responding';

/** Takes runs from the queue and streams them until the signal aborts; resolves once every run it took has ended. */
export async function runWorker(options: RunWorkerOptions): Promise<void> {
  const { queue, runs, bus, logger, concurrency, signal } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const consumer = consumerName();
  const stopRuns = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const running = new Set<string>();

  const reaper = startOrphanReaper({
    queue,
    runs,
    bus,
    logger,
    leaseMs,
    consumer,
    isRunningHere: (runId) => running.has(runId),
  });

  let takeFailures = 0;
  try {
    while (!signal.aborted) {
      if (inFlight.size >= concurrency) {
        await Promise.race([
          ...inFlight,
          new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true })),
        ]);
        continue;
      }
      let lease: RunLease | null;
      try {
        lease = await queue.take(consumer, signal);
      } catch (error) {
        // The queue is unreachable (Redis down): wait and try again rather than end the worker.
        const delayMs = backoffDelay(takeFailures, 100, 5_000);
        takeFailures += 1;
        logger.warn({ err: error, delayMs }, 'could not take a run; retrying');
        await delay(delayMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      takeFailures = 0;
      if (!lease) break;
      const { runId } = lease.job;
      running.add(runId);
      const run = streamLeasedRun(lease, { ...options, leaseMs, signal: stopRuns.signal }).finally(() => {
        inFlight.delete(run);
        running.delete(runId);
      });
      inFlight.add(run);
    }

    if (inFlight.size > 0) {
      const grace = setTimeout(() => stopRuns.abort(), options.shutdownGraceMs ?? 10_000);
      await Promise.allSettled([...inFlight]);
      clearTimeout(grace);
    }
  } finally {
    reaper.stop();
  }
}

/**
 * Looks for orphaned runs every half lease, so a run whose worker died ends within about 1.5 leases.
 * Every worker runs one, and so does a server (a run must end even when its only worker died).
 */
export function startOrphanReaper(options: {
  queue: RunQueue;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  leaseMs?: number;
  consumer?: string;
  /** Whether this process is streaming the run (a worker's own reaper): such a run is alive, whatever its lease. */
  isRunningHere?: (runId: string) => boolean;
}): { stop(): void } {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const consumer = options.consumer ?? consumerName();
  const timer = setInterval(
    () => {
      reapOrphans(options, consumer, leaseMs).catch((error: unknown) =>
        options.logger.warn({ err: error }, 'could not look for orphaned runs'),
      );
    },
    Math.max(100, Math.round(leaseMs / 2)),
  );
  return { stop: () => clearInterval(timer) };
}

function consumerName(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Streams one leased run, renewing the lease while it runs, and completes the lease however it ends. */
async function streamLeasedRun(lease: RunLease, options: RunWorkerOptions & { leaseMs: number }): Promise<void> {
  const { job } = lease;
  const { logger } = options;
  const started = Date.now();
  logger.info({ runId: job.runId, threadId: job.threadId }, 'run taken');
  const renewal = setInterval(
    () => {
      lease
        .renew()
        .catch((error: unknown) => logger.warn({ err: error, runId: job.runId }, 'could not renew a run lease'));
    },
    Math.max(50, Math.round(options.leaseMs / 3)),
  );
  try {
    const outcome = await executeRun(job, options);
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
  } catch (error) {
    logger.error({ err: error, runId: job.runId, threadId: job.threadId }, 'run could not be streamed');
  } finally {
    clearInterval(renewal);
    await lease
      .complete()
      .catch((error: unknown) => logger.warn({ err: error, runId: job.runId }, 'could not complete a run lease'));
  }
}

/**
 * Ends the runs whose worker died: a started one ends `error` (its tokens so far stay on the thread), one
 * that never started is queued again, one that waits for an approval is left waiting, and one that had ended gets its end published again in case the
 * worker died in between. Safe to run in every worker at once: each orphan goes to one reaper.
 */
export async function reapOrphans(
  deps: {
    queue: RunQueue;
    runs: RunStore;
    bus: EventBus;
    logger: Logger;
    isRunningHere?: (runId: string) => boolean;
  },
  consumer: string,
  leaseMs: number,
): Promise<number> {
  const orphans = await deps.queue.reclaimAbandoned(consumer, leaseMs);
  for (const lease of orphans) {
    const { runId } = lease.job;
    // Its renewals failed (Redis unreachable for longer than the lease, as in a slow failover), yet this process
    // is streaming it: the claim, to this same consumer, renewed the lease. Ending it would kill a live run.
    if (deps.isRunningHere?.(runId)) continue;
    const record = await deps.runs.get(runId);
    if (record?.state === 'queued') {
      await deps.queue.enqueue(lease.job);
    } else if (record?.state === 'waiting') {
      // Paused for an approval: no worker holds it, and the answer queues it again.
    } else if (record && isEnded(record.state)) {
      await publishRunEnd(deps.bus, record);
    } else if (record) {
      await endRun(deps, lease.job, 'error', { reason: ORPHANED });
      deps.logger.warn({ runId, threadId: record.threadId }, 'ended an orphaned run');
    }
    await lease.complete();
  }
  return orphans.length;
}
