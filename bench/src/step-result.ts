import type { RedisDeploymentId } from './bench-redis.ts';
import type { LatencySummary } from './latency-histogram.ts';
import type { ScenarioId } from './plan.ts';
import type { VariantId } from './variants.ts';

/** Every figure of one scenario × N × variant. Null where a figure does not apply (no server, no events). */
export interface StepResult {
  scenario: ScenarioId;
  n: number;
  /** Which round of the scenario × N this is (`--rounds`), from 1. */
  round: number;
  variant: VariantId;
  label: string;
  /** The Redis the variant used, and how many nodes serve its data (the primaries of a cluster). */
  redis: RedisDeploymentId;
  redisNodes: number;
  /** `ok`; `failed` (errors, drops, duplicates, streams that did not open); `error` (the step broke); `skipped`. */
  status: 'ok' | 'failed' | 'error' | 'skipped';
  notes: string[];
  streamsRequested: number;
  streamsOpened: number;
  published: number;
  publishFailures: number;
  publishedPerSecond: number | null;
  /** Ticks the paced publisher left out because it could not keep up (its achieved rate is below target). */
  publisherSkippedTicks: number;
  /** CPU the orchestrator, which publishes, used while it published (user + system). */
  publisherCpuSeconds: number | null;
  delivered: number;
  deliveredPerSecond: number | null;
  latency: LatencySummary | null;
  serverRssMb: number | null;
  /** (RSS after the window − RSS before the streams opened) / streams. */
  rssPerStreamKb: number | null;
  /** Server CPU (user + system) from the start of the window until every client caught up. */
  serverCpuSeconds: number | null;
  cpuMicrosPerDelivery: number | null;
  /** CPU (INFO CPU: used_cpu_user + used_cpu_sys) of every Redis node over the server's window, summed. */
  redisCpuSeconds: number | null;
  redisCpuMicrosPerDelivery: number | null;
  /** Redis's CPU over the window per event published: what storing and publishing one event costs Redis. */
  redisCpuMicrosPerPublish: number | null;
  /** The server's CPU and Redis's per delivery, added: what a delivery costs the serving side in all. */
  serverPlusRedisCpuMicrosPerDelivery: number | null;
  /** Each node's CPU over the window, in % of one core: a node near 100 % is saturated (Redis runs commands on one thread). */
  redisNodeCpuPercent: number[];
  /**
   * Connections to the bench's Redis (all nodes) held by the serving process (the load generator's, for the Redis
   * floor), counted while the streams are open, in all and by connection name.
   */
  redisConnections: number | null;
  redisConnectionsByName: Record<string, number> | null;
  errors: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
  /** Ids from another epoch or otherwise not part of the thread's numbered history. */
  foreign: number;
  /** `status` `reset` notices the clients got: history was trimmed or lost past a stream's position. */
  resets: number;
  /** Always 0: the load generator never reconnects; a closed stream counts as an error instead. */
  reconnects: number;
  /** Every client got every event exactly once, in order (null for idle, which publishes nothing). */
  exactlyOnce: boolean | null;
  heartbeatsPerStream: number | null;
  loadGeneratorCpuSeconds: number[];
  windowSeconds: number | null;
  errorSamples: string[];
}

export function skippedStep(
  base: Pick<StepResult, 'scenario' | 'n' | 'round' | 'variant' | 'label' | 'redis' | 'redisNodes'>,
  reason: string,
  streamsRequested: number,
): StepResult {
  return {
    ...base,
    status: 'skipped',
    notes: [reason],
    streamsRequested,
    streamsOpened: 0,
    published: 0,
    publishFailures: 0,
    publishedPerSecond: null,
    publisherSkippedTicks: 0,
    publisherCpuSeconds: null,
    delivered: 0,
    deliveredPerSecond: null,
    latency: null,
    serverRssMb: null,
    rssPerStreamKb: null,
    serverCpuSeconds: null,
    cpuMicrosPerDelivery: null,
    redisCpuSeconds: null,
    redisCpuMicrosPerDelivery: null,
    redisCpuMicrosPerPublish: null,
    serverPlusRedisCpuMicrosPerDelivery: null,
    redisNodeCpuPercent: [],
    redisConnections: null,
    redisConnectionsByName: null,
    errors: 0,
    missed: 0,
    duplicates: 0,
    outOfOrder: 0,
    foreign: 0,
    resets: 0,
    reconnects: 0,
    exactlyOnce: null,
    heartbeatsPerStream: null,
    loadGeneratorCpuSeconds: [],
    windowSeconds: null,
    errorSamples: [],
  };
}
