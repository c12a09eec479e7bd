import type { LatencySummary } from './latency-histogram.ts';
import type { ScenarioId } from './plan.ts';
import type { VariantId } from './variants.ts';

/** Every figure of one scenario × N × variant. Null where a figure does not apply (no server, no events). */
export interface StepResult {
  scenario: ScenarioId;
  n: number;
  variant: VariantId;
  label: string;
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
  delivered: number;
  deliveredPerSecond: number | null;
  latency: LatencySummary | null;
  serverRssMb: number | null;
  /** (RSS after the window − RSS before the streams opened) / streams. */
  rssPerStreamKb: number | null;
  /** Server CPU (user + system) from the start of the window until every client caught up. */
  serverCpuSeconds: number | null;
  cpuMicrosPerDelivery: number | null;
  /** Connections to the bench's Redis held by the serving process (the load generator's, for the Redis floor). */
  redisConnections: number | null;
  errors: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
  /** Ids from another epoch or otherwise not part of the thread's numbered history. */
  foreign: number;
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
  base: Pick<StepResult, 'scenario' | 'n' | 'variant' | 'label'>,
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
    delivered: 0,
    deliveredPerSecond: null,
    latency: null,
    serverRssMb: null,
    rssPerStreamKb: null,
    serverCpuSeconds: null,
    cpuMicrosPerDelivery: null,
    redisConnections: null,
    errors: 0,
    missed: 0,
    duplicates: 0,
    outOfOrder: 0,
    foreign: 0,
    reconnects: 0,
    exactlyOnce: null,
    heartbeatsPerStream: null,
    loadGeneratorCpuSeconds: [],
    windowSeconds: null,
    errorSamples: [],
  };
}
