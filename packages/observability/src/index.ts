export { registerBackendMetrics, registerStoreMetrics } from './backend-metrics.ts';
export { createLogger, REDACTED_LOG_PATHS } from './logger.ts';
export { listenForMetrics, MetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.ts';
export { metricsEnvShape } from './metrics-env.ts';
export {
  createServerMetrics,
  createWorkerMetrics,
  type ProcessMetricsOptions,
  type ServerMetrics,
  type WorkerProcessMetrics,
} from './process-metrics.ts';
export { parsePrometheusText, type Sample, sampleValue } from './prometheus-text.ts';
export { createMetricsRegistry } from './registry.ts';
export { DELIVERY_LATENCY_BUCKETS, PromStreamMetrics } from './stream-metrics.ts';
export { PromWorkerMetrics } from './worker-metrics.ts';
