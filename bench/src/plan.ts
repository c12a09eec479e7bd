export type ScenarioId = 'idle' | 'fan-in' | 'fan-out' | 'burst';

export type Workload =
  | { kind: 'idle'; windowMs: number }
  | { kind: 'paced'; intervalMs: number; durationMs: number }
  | { kind: 'burst'; count: number };

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Values of N to sweep: streams for idle, threads for fan-in, subscribers for fan-out and burst. */
  sizes: number[];
  threads(n: number): number;
  subscribersPerThread(n: number): number;
  workload: Workload;
  /** The Redis floor has nothing to measure without publications. */
  skipRedisFloor: boolean;
}

export interface BenchPlan {
  name: 'quick' | 'full';
  scenarios: Scenario[];
  heartbeatMs: number;
  /** One fresh server per variant for all scenarios (quick), instead of one per step (full). */
  serverPerVariant: boolean;
  /** Whole-run budget; steps not started by then are skipped and reported as such. */
  budgetMs: number;
  /** Only these variants (ids), when set. */
  variants?: string[];
  /**
   * Each scenario × N runs this many times, all its variants one after the other in each round, so a ratio is taken
   * between steps minutes apart at most and can be read as the median over rounds (`--rounds`, default 1).
   */
  rounds: number;
}

/** A part of a plan, chosen on the command line (`--scenarios`, `--sizes`, `--variants`). */
export interface PlanFilter {
  scenarios?: string[];
  sizes?: number[];
  variants?: string[];
  rounds?: number;
}

export function narrowPlan(plan: BenchPlan, filter: PlanFilter): BenchPlan {
  const scenarios = plan.scenarios
    .filter((scenario) => !filter.scenarios || filter.scenarios.includes(scenario.id))
    .map((scenario) => (filter.sizes && scenario.id !== 'burst' ? { ...scenario, sizes: filter.sizes } : scenario));
  if (scenarios.length === 0) throw new Error(`no scenario matches ${filter.scenarios?.join(', ')}`);
  const rounds = filter.rounds ?? plan.rounds;
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds takes a whole number >= 1, not ${rounds}`);
  return { ...plan, scenarios, variants: filter.variants ?? plan.variants, rounds };
}

const TOKENS_PER_SECOND = 20;
const INTERVAL_MS = 1_000 / TOKENS_PER_SECOND;

function scenarios(sizes: {
  idle: number[];
  idleMs: number;
  fanIn: number[];
  fanOut: number[];
  pacedMs: number;
  burstSubscribers: number;
  burstCount: number;
}): Scenario[] {
  const paced: Workload = { kind: 'paced', intervalMs: INTERVAL_MS, durationMs: sizes.pacedMs };
  const seconds = (ms: number) => `${ms / 1000} s`;
  return [
    {
      id: 'idle',
      title: `idle: N threads × 1 stream, heartbeats only, ${seconds(sizes.idleMs)}`,
      sizes: sizes.idle,
      threads: (n) => n,
      subscribersPerThread: () => 1,
      workload: { kind: 'idle', windowMs: sizes.idleMs },
      skipRedisFloor: true,
    },
    {
      id: 'fan-in',
      title: `fan-in: N threads × 1 subscriber, ${TOKENS_PER_SECOND} tokens/s per thread, ${seconds(sizes.pacedMs)}`,
      sizes: sizes.fanIn,
      threads: (n) => n,
      subscribersPerThread: () => 1,
      workload: paced,
      skipRedisFloor: false,
    },
    {
      id: 'fan-out',
      title: `fan-out: 1 thread × N subscribers, ${TOKENS_PER_SECOND} events/s, ${seconds(sizes.pacedMs)}`,
      sizes: sizes.fanOut,
      threads: () => 1,
      subscribersPerThread: (n) => n,
      workload: paced,
      skipRedisFloor: false,
    },
    {
      id: 'burst',
      title: `burst: 1 thread × N subscribers, ${sizes.burstCount} tokens published as fast as a worker can`,
      sizes: [sizes.burstSubscribers],
      threads: () => 1,
      subscribersPerThread: (n) => n,
      workload: { kind: 'burst', count: sizes.burstCount },
      skipRedisFloor: false,
    },
  ];
}

const FULL_SIZES = [100, 1_000, 5_000, 10_000];

export const plans: Record<BenchPlan['name'], BenchPlan> = {
  quick: {
    name: 'quick',
    scenarios: scenarios({
      idle: [50],
      idleMs: 2_000,
      fanIn: [20],
      fanOut: [50],
      pacedMs: 2_000,
      burstSubscribers: 2,
      burstCount: 2_000,
    }),
    heartbeatMs: 500,
    serverPerVariant: true,
    budgetMs: 120_000,
    rounds: 1,
  },
  full: {
    name: 'full',
    scenarios: scenarios({
      idle: FULL_SIZES,
      idleMs: 10_000,
      fanIn: FULL_SIZES,
      fanOut: FULL_SIZES,
      pacedMs: 5_000,
      burstSubscribers: 10,
      burstCount: 20_000,
    }),
    heartbeatMs: 2_000,
    serverPerVariant: false,
    budgetMs: 14 * 60_000,
    rounds: 1,
  },
};

/** Load generator processes for `streams` subscriptions: one up to 2,000, two above. */
export function loadGeneratorCount(streams: number): number {
  return streams <= 2_000 ? 1 : 2;
}
