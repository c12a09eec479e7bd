import type { StepResult } from './step-result.ts';

export interface Comparison {
  /** RSS per stream ÷ the Node floor's, same scenario and N. */
  rssPerStreamVsNodeFloor: number | null;
  /** CPU per delivery ÷ the Node floor's, same scenario and N. */
  cpuPerDeliveryVsNodeFloor: number | null;
  /** Latency p99 − the Redis floor's p99 (ms), same scenario and N. */
  p99OverRedisFloorMs: number | null;
}

function ratio(value: number | null, floor: number | null): number | null {
  return value === null || floor === null || floor <= 0 ? null : value / floor;
}

export function compare(result: StepResult, all: readonly StepResult[]): Comparison {
  const peer = (variant: StepResult['variant']) =>
    all.find((other) => other.scenario === result.scenario && other.n === result.n && other.variant === variant);
  const nodeFloor = peer('node-floor');
  const redisFloor = peer('redis-floor');
  const usable = (step: StepResult | undefined) => (step && step.status !== 'skipped' ? step : undefined);
  const floorP99 = usable(redisFloor)?.latency?.p99Ms;
  return {
    rssPerStreamVsNodeFloor: ratio(result.rssPerStreamKb, usable(nodeFloor)?.rssPerStreamKb ?? null),
    cpuPerDeliveryVsNodeFloor: ratio(result.cpuMicrosPerDelivery, usable(nodeFloor)?.cpuMicrosPerDelivery ?? null),
    p99OverRedisFloorMs: result.latency && floorP99 !== undefined ? result.latency.p99Ms - floorP99 : null,
  };
}
