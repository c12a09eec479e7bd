import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A registry of its own for one server or worker (never prom-client's global one, so servers created in one
 * process, as tests do, never share or collide), with prom-client's process metrics (RSS, CPU, open fds,
 * event-loop lag, GC, heap) and every series labelled with the process's `instance_id`.
 */
export function createMetricsRegistry(instanceId: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
  collectDefaultMetrics({ register: registry });
  return registry;
}
