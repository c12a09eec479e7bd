/** One row of the soak: the server's figures and what the streams saw over the interval that ends at `atS`. */
export interface SoakSample {
  atS: number;
  /** Streams the churn holds (connected or connecting). */
  streamsOpen: number;
  /** Of those, streams the server has answered (`connected`). */
  streamsConnected: number;
  opensPerSecond: number;
  deliveredPerSecond: number;
  rssMb: number;
  fds: number;
  cpuPercent: number;
  redisConnections: number;
  redisClients: number;
  healthzP50Ms: number;
  healthzMaxMs: number;
  /** `/healthz` probes that got no answer in time. */
  healthzFailures: number;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  errors: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
}

export interface SoakLimits {
  /** Seconds at the start left out of the trends (heap and caches growing to their working size). */
  warmupS: number;
  /** Largest RSS growth after the warm-up, MB per minute (robust slope), judged when that part lasts 4 minutes or more. */
  maxRssSlopeMbPerMin: number;
  /** In a shorter run, where a slope mostly shows the heap still settling: most RSS may grow after the warm-up. */
  maxRssGrowthMb: number;
  /** File descriptors the server may hold, once every stream closed, above its count before the first. */
  fdTolerance: number;
  /** Largest growth of the `/healthz` round trip (per-sample median) after the warm-up, ms per minute (robust slope). */
  maxLagSlopeMsPerMin: number;
  /** Streams open on average after the warm-up, as a share of the target: below, the load did not happen. */
  minLoadShare: number;
}

export interface SoakBaseline {
  /** Server fds with no stream open (the shared subscriber already connected). */
  fds: number;
  /** Redis connections the server holds: two (commands and the shared subscriber), whatever the streams. */
  redisConnections: number;
}

export interface SoakCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/**
 * Theil–Sen slope (the median of the slopes between every pair of points): a few GC peaks or troughs do
 * not move it, where a least-squares fit would follow them.
 */
export function robustSlope(points: readonly { x: number; y: number }[]): number | null {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i += 1) {
    for (let j = i + 1; j < points.length; j += 1) {
      const a = points[i] as { x: number; y: number };
      const b = points[j] as { x: number; y: number };
      if (b.x !== a.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  if (slopes.length === 0) return null;
  slopes.sort((p, q) => p - q);
  const middle = slopes.length / 2;
  return slopes.length % 2 === 1
    ? (slopes[Math.floor(middle)] as number)
    : ((slopes[middle - 1] as number) + (slopes[middle] as number)) / 2;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Whether the server stayed flat: exact delivery, no growth of memory, descriptors, connections or lag. */
export function judgeSoak(input: {
  samples: readonly SoakSample[];
  baseline: SoakBaseline;
  /** Server fds and Redis connections once the churn stopped and every stream closed. */
  after: { fds: number; redisConnections: number };
  targetStreams: number;
  runStartFailures: number;
  limits: SoakLimits;
}): SoakCheck[] {
  const { samples, baseline, after, limits } = input;
  const steady = samples.filter((sample) => sample.atS >= limits.warmupS);
  const checks: SoakCheck[] = [];
  const sum = (pick: (sample: SoakSample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);

  const faults = {
    errors: sum((s) => s.errors),
    missed: sum((s) => s.missed),
    duplicates: sum((s) => s.duplicates),
    outOfOrder: sum((s) => s.outOfOrder),
    runStartFailures: input.runStartFailures,
  };
  checks.push({
    name: 'exact delivery, no stream or run refused',
    passed: Object.values(faults).every((count) => count === 0),
    detail: Object.entries(faults)
      .map(([name, count]) => `${name} ${count}`)
      .join(', '),
  });

  const load = steady.length > 0 ? steady.reduce((total, s) => total + s.streamsConnected, 0) / steady.length : 0;
  checks.push({
    name: 'the load was applied',
    passed: steady.length >= 3 && load >= limits.minLoadShare * input.targetStreams,
    detail: `${steady.length} samples after the warm-up, ${Math.round(load)} streams connected on average (target ${input.targetStreams})`,
  });

  const rss = steady.map((s) => s.rssMb);
  const range = `RSS ${round(Math.min(...rss))}–${round(Math.max(...rss))} MB`;
  const span = (steady.at(-1)?.atS ?? 0) - (steady[0]?.atS ?? 0);
  if (span >= 240) {
    const slope = robustSlope(steady.map((s) => ({ x: s.atS / 60, y: s.rssMb })));
    checks.push({
      name: 'RSS flat after the warm-up',
      passed: slope !== null && slope <= limits.maxRssSlopeMbPerMin,
      detail: `slope ${slope === null ? '–' : round(slope, 2)} MB/min (limit ${limits.maxRssSlopeMbPerMin}), ${range}`,
    });
  } else {
    const growth = Math.max(...rss) - (rss[0] ?? Number.NaN);
    checks.push({
      name: 'RSS bounded after the warm-up (too short a run for a slope)',
      passed: growth <= limits.maxRssGrowthMb,
      detail: `grew ${round(growth)} MB over ${span} s (limit ${limits.maxRssGrowthMb}), ${range}`,
    });
  }

  checks.push({
    name: 'file descriptors back to the baseline',
    passed: after.fds <= baseline.fds + limits.fdTolerance,
    detail: `${after.fds} after the streams closed, ${baseline.fds} before the first (tolerance ${limits.fdTolerance}); peak ${Math.max(...samples.map((s) => s.fds))}`,
  });

  const connectionCounts = [...new Set(samples.map((s) => s.redisConnections))];
  const clientCounts = [...new Set(steady.map((s) => s.redisClients))];
  checks.push({
    name: 'Redis connections constant',
    passed:
      connectionCounts.length === 1 &&
      connectionCounts[0] === baseline.redisConnections &&
      after.redisConnections === baseline.redisConnections &&
      clientCounts.length === 1,
    detail: `server's: ${connectionCounts.join('/')} during, ${after.redisConnections} after (baseline ${baseline.redisConnections}); all clients: ${clientCounts.join('/')}`,
  });

  const lagSlope = robustSlope(
    steady.filter((s) => Number.isFinite(s.healthzP50Ms)).map((s) => ({ x: s.atS / 60, y: s.healthzP50Ms })),
  );
  const unanswered = sum((s) => s.healthzFailures);
  const p50s = steady.map((s) => s.healthzP50Ms).filter(Number.isFinite);
  checks.push({
    name: 'event-loop lag flat (/healthz round trip)',
    passed: unanswered === 0 && lagSlope !== null && lagSlope <= limits.maxLagSlopeMsPerMin,
    detail: `slope ${lagSlope === null ? '–' : round(lagSlope, 2)} ms/min (limit ${limits.maxLagSlopeMsPerMin}), median ${round(median(p50s), 2)} ms, worst single ${round(Math.max(...samples.map((s) => s.healthzMaxMs)))} ms; ${unanswered} probes unanswered`,
  });
  return checks;
}
