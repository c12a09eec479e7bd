import type { Backend } from '@threadcast/backend';
import { type Logger, withTimeout } from '@threadcast/common';
import { runStates } from '@threadcast/contract';
import { Counter, Gauge, type Registry } from 'prom-client';

/** A scrape never waits longer than this for the store: Prometheus would give up on the whole scrape. */
const STORE_READ_TIMEOUT_MS = 2_000;

/** Adds to a counter what a cumulative source gained since the last scrape (and shows it at 0 before). */
function follow(counter: Counter<string>, seen: Map<string, number>, key: string, total: number, labels = {}): void {
  const gained = total - (seen.get(key) ?? 0);
  counter.inc(labels, Math.max(0, gained));
  seen.set(key, Math.max(total, seen.get(key) ?? 0));
}

/** This process's Redis connections and the bus's dropped messages, read from `backend.stats()` on each scrape. */
export function registerBackendMetrics(registry: Registry, backend: Backend): void {
  const registers = [registry];
  new Gauge({
    name: 'threadcast_redis_connected',
    help: 'Whether each Redis connection of this process is ready (1) or not (0), by role',
    labelNames: ['role'],
    registers,
    collect() {
      this.reset();
      for (const { role, connected } of backend.stats().redis) this.set({ role }, connected ? 1 : 0);
    },
  });
  const reconnectsSeen = new Map<string, number>();
  new Counter({
    name: 'threadcast_redis_reconnects_total',
    help: 'Times a Redis connection of this process came back after it was lost, by role',
    labelNames: ['role'],
    registers,
    collect() {
      for (const { role, reconnects } of backend.stats().redis)
        follow(this, reconnectsSeen, role, reconnects, { role });
    },
  });
  const droppedSeen = new Map<string, number>();
  new Counter({
    name: 'threadcast_bus_messages_dropped_total',
    help: 'Messages on thread or seed channels dropped for not being threadcast events',
    registers,
    collect() {
      follow(this, droppedSeen, '', backend.stats().droppedMessages);
    },
  });
}

/**
 * Runs by state and the queue's depth, read from the shared store on each scrape (one HGETALL, one
 * XLEN + XPENDING). They describe the whole deployment, not this process: every server reports the same.
 * A read that fails or takes too long leaves the series out of that scrape rather than fail it.
 */
export function registerStoreMetrics(registry: Registry, store: Pick<Backend, 'runs' | 'queue'>, logger: Logger): void {
  const registers = [registry];
  new Gauge({
    name: 'threadcast_runs',
    help: 'Runs in each state, all servers and workers together',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      const counts = await withinTimeout(store.runs.countByState(), 'runs by state', logger);
      if (counts) for (const state of runStates) this.set({ state }, counts[state]);
    },
  });
  new Gauge({
    name: 'threadcast_queue_depth',
    help: 'Runs in the queue: waiting for a worker, or leased to one',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      const depth = await withinTimeout(store.queue.depth(), 'queue depth', logger);
      if (depth) {
        this.set({ state: 'waiting' }, depth.waiting);
        this.set({ state: 'leased' }, depth.leased);
      }
    },
  });
}

async function withinTimeout<T>(read: Promise<T>, what: string, logger: Logger): Promise<T | null> {
  try {
    return await withTimeout(read, STORE_READ_TIMEOUT_MS);
  } catch (error) {
    logger.warn({ err: error, metric: what }, 'metrics: could not read the store; the series is left out');
    read.catch(() => undefined);
    return null;
  }
}
