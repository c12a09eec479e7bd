import { compare } from './comparisons.ts';
import type { StepResult } from './step-result.ts';

/** One scenario × N × variant over its rounds (`--rounds`): the median of each figure that moves with the machine. */
export interface RoundsMedian {
  scenario: StepResult['scenario'];
  n: number;
  variant: StepResult['variant'];
  label: string;
  /** Rounds whose step ran (skipped ones are left out; failed ones are counted, their figures are results too). */
  rounds: number;
  deliveredPerSecond: number | null;
  cpuMicrosPerDelivery: number | null;
  redisCpuMicrosPerPublish: number | null;
  serverPlusRedisCpuMicrosPerDelivery: number | null;
  /** The median of each round's ratio to the pub/sub baseline of the same round. */
  serverPlusRedisVsPubsub: number | null;
}

function median(values: (number | null)[]): number | null {
  const known = values
    .filter((value): value is number => value !== null && Number.isFinite(value))
    .sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? (known[middle] ?? null) : ((known[middle - 1] ?? 0) + (known[middle] ?? 0)) / 2;
}

/** Medians over the rounds of every scenario × N × variant in `results`, in the order the steps ran. */
export function roundsMedians(results: readonly StepResult[]): RoundsMedian[] {
  const groups = new Map<string, StepResult[]>();
  for (const result of results) {
    if (result.status === 'skipped') continue;
    const key = `${result.scenario}/${result.n}/${result.variant}`;
    groups.set(key, [...(groups.get(key) ?? []), result]);
  }
  return [...groups.values()].map((steps) => {
    const first = steps[0] as StepResult;
    return {
      scenario: first.scenario,
      n: first.n,
      variant: first.variant,
      label: first.label,
      rounds: steps.length,
      deliveredPerSecond: median(steps.map((step) => step.deliveredPerSecond)),
      cpuMicrosPerDelivery: median(steps.map((step) => step.cpuMicrosPerDelivery)),
      redisCpuMicrosPerPublish: median(steps.map((step) => step.redisCpuMicrosPerPublish)),
      serverPlusRedisCpuMicrosPerDelivery: median(steps.map((step) => step.serverPlusRedisCpuMicrosPerDelivery)),
      serverPlusRedisVsPubsub: median(steps.map((step) => compare(step, results).serverPlusRedisVsPubsub)),
    };
  });
}
