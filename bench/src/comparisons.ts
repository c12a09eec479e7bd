import type { StepResult } from './step-result.ts';

export interface Comparison {
  /** RSS per stream ÷ the Node floor's, same scenario and N. */
  rssPerStreamVsNodeFloor: number | null;
  /** CPU per delivery ÷ the Node floor's, same scenario and N. */
  cpuPerDeliveryVsNodeFloor: number | null;
  /** Server + Redis CPU per delivery ÷ the at-most-once pub/sub baseline's, same scenario and N. */
  serverPlusRedisVsPubsub: number | null;
  /** Latency p99 − the Redis floor's p99 (ms), same scenario and N. */
  p99OverRedisFloorMs: number | null;
  /** Our server on a cluster against our server on the single Redis, same scenario and N: deliveries per second. */
  deliveredPerSecondVsSingle: number | null;
  /** … the server's CPU per delivery. */
  cpuPerDeliveryVsSingle: number | null;
  /** … Redis's CPU per delivery (summed over the nodes). */
  redisCpuPerDeliveryVsSingle: number | null;
}

function ratio(value: number | null, floor: number | null | undefined): number | null {
  return value === null || floor === null || floor === undefined || floor <= 0 ? null : value / floor;
}

export function compare(result: StepResult, all: readonly StepResult[]): Comparison {
  const peer = (variant: StepResult['variant']) =>
    all.find(
      (other) =>
        other.scenario === result.scenario &&
        other.n === result.n &&
        other.round === result.round &&
        other.variant === variant,
    );
  const usable = (step: StepResult | undefined) => (step && step.status !== 'skipped' ? step : undefined);
  const nodeFloor = usable(peer('node-floor'));
  const pubsub = usable(peer('pubsub'));
  const floorP99 = usable(peer('redis-floor'))?.latency?.p99Ms;
  // Only our server runs on a cluster; its baseline is itself on the single Redis.
  const single = result.redis === 'single' ? undefined : usable(peer('ours'));
  return {
    rssPerStreamVsNodeFloor: ratio(result.rssPerStreamKb, nodeFloor?.rssPerStreamKb),
    cpuPerDeliveryVsNodeFloor: ratio(result.cpuMicrosPerDelivery, nodeFloor?.cpuMicrosPerDelivery),
    serverPlusRedisVsPubsub: ratio(
      result.serverPlusRedisCpuMicrosPerDelivery,
      pubsub?.serverPlusRedisCpuMicrosPerDelivery,
    ),
    p99OverRedisFloorMs: result.latency && floorP99 !== undefined ? result.latency.p99Ms - floorP99 : null,
    deliveredPerSecondVsSingle: ratio(result.deliveredPerSecond, single?.deliveredPerSecond),
    cpuPerDeliveryVsSingle: ratio(result.cpuMicrosPerDelivery, single?.cpuMicrosPerDelivery),
    redisCpuPerDeliveryVsSingle: ratio(result.redisCpuMicrosPerDelivery, single?.redisCpuMicrosPerDelivery),
  };
}
