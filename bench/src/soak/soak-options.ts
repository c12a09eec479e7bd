import { parseArgs } from 'node:util';
import type { SoakLimits } from './soak-verdict.ts';

export interface SoakOptions {
  durationS: number;
  streams: number;
  threads: number;
  runsPerSecond: number;
  sampleS: number;
  minLifeMs: number;
  maxLifeMs: number;
  limits: SoakLimits;
}

/** `600`, `600s`, `10m` → seconds. */
function seconds(raw: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(raw.trim());
  if (!match) throw new Error(`--${name} must be a number of seconds, or end in s or m (10m), got "${raw}"`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

function positive(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
}

export const SOAK_USAGE =
  'pnpm soak [--duration=10m] [--streams=1000] [--threads=50] [--runs-per-second=2] ' +
  '[--life=5-30] [--sample=5] [--warmup=120] [--max-rss-slope=2] [--max-lag-slope=5] [--max-rss-growth=96]';

/**
 * The soak's settings. A long run (5 minutes or more) is judged by slopes; a short one (the CI smoke run)
 * has too few minutes for a slope to mean much, so its memory and lag limits only catch a gross leak.
 */
export function parseSoakOptions(argv: string[]): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10m' },
      streams: { type: 'string' },
      threads: { type: 'string' },
      'runs-per-second': { type: 'string' },
      sample: { type: 'string' },
      warmup: { type: 'string' },
      'max-rss-slope': { type: 'string' },
      'max-lag-slope': { type: 'string' },
      life: { type: 'string', default: '5-30' },
      'max-rss-growth': { type: 'string' },
    },
  });
  const durationS = seconds(values.duration, 'duration');
  if (durationS < 10) throw new Error('--duration must be at least 10 s');
  const long = durationS >= 300;
  const life = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)s?$/.exec(values.life);
  const [minLifeS, maxLifeS] = [Number(life?.[1]), Number(life?.[2])];
  if (!life || !(minLifeS > 0) || !(maxLifeS >= minLifeS)) {
    throw new Error(`--life must be <min>-<max> seconds with 0 < min <= max (5-30), got "${values.life}"`);
  }
  const warmupS =
    values.warmup === undefined ? Math.max(10, Math.round(durationS * 0.2)) : seconds(values.warmup, 'warmup');
  if (warmupS >= durationS) throw new Error('--warmup must be shorter than --duration');
  return {
    durationS,
    streams: Math.round(positive(values.streams, 1_000, 'streams')),
    threads: Math.round(positive(values.threads, 50, 'threads')),
    runsPerSecond: positive(values['runs-per-second'], 2, 'runs-per-second'),
    sampleS: values.sample === undefined ? (long ? 5 : 1) : seconds(values.sample, 'sample'),
    minLifeMs: minLifeS * 1_000,
    maxLifeMs: maxLifeS * 1_000,
    limits: {
      warmupS,
      maxRssSlopeMbPerMin: positive(values['max-rss-slope'], 2, 'max-rss-slope'),
      maxRssGrowthMb: positive(values['max-rss-growth'], 96, 'max-rss-growth'),
      fdTolerance: 5,
      maxLagSlopeMsPerMin: positive(values['max-lag-slope'], long ? 5 : 200, 'max-lag-slope'),
      minLoadShare: 0.9,
    },
  };
}
