import type { StreamMetrics } from '@threadcast/api';
import type { Backend } from '@threadcast/backend';
import type { Logger } from '@threadcast/common';
import type { WorkerMetrics } from '@threadcast/runner';
import type { Registry } from 'prom-client';
import { registerBackendMetrics, registerStoreMetrics } from './backend-metrics.ts';
import { MetricsEndpoint } from './metrics-endpoint.ts';
import { createMetricsRegistry } from './registry.ts';
import { PromStreamMetrics } from './stream-metrics.ts';
import { PromWorkerMetrics } from './worker-metrics.ts';

export interface ProcessMetricsOptions {
  backend: Backend;
  /** The `instance_id` label of every series (INSTANCE_ID, by default the host name). */
  instanceId: string;
  /** When set, scrapes must send it as a Bearer token (METRICS_TOKEN). */
  token?: string | undefined;
  logger: Logger;
}

export interface ServerMetrics {
  registry: Registry;
  endpoint: MetricsEndpoint;
  /** For `createContextFactory({ metrics })`: what `thread.onEvent` streams do. */
  streams: StreamMetrics;
  /** For `runWorker({ metrics })` when the server embeds a worker. */
  worker: WorkerMetrics;
}

/** The metrics of one server: its streams, its Redis connections, the deployment's runs and queue, its embedded worker. */
export function createServerMetrics(options: ProcessMetricsOptions): ServerMetrics {
  const registry = createMetricsRegistry(options.instanceId);
  registerBackendMetrics(registry, options.backend);
  registerStoreMetrics(registry, options.backend, options.logger);
  return {
    registry,
    endpoint: new MetricsEndpoint(registry, options),
    streams: new PromStreamMetrics(registry),
    worker: new PromWorkerMetrics(registry),
  };
}

export interface WorkerProcessMetrics {
  registry: Registry;
  endpoint: MetricsEndpoint;
  worker: WorkerMetrics;
}

/** The metrics of a worker process: its tokens and its Redis connections (runs and queue are the servers'). */
export function createWorkerMetrics(options: ProcessMetricsOptions): WorkerProcessMetrics {
  const registry = createMetricsRegistry(options.instanceId);
  registerBackendMetrics(registry, options.backend);
  return { registry, endpoint: new MetricsEndpoint(registry, options), worker: new PromWorkerMetrics(registry) };
}
