import type { SoakCheck, SoakSample } from './soak-verdict.ts';

const DASH = '–';
const num = (value: number | null, digits = 0) =>
  value === null || !Number.isFinite(value)
    ? DASH
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const columns: { title: string; cell(sample: SoakSample): string }[] = [
  { title: 't s', cell: (s) => num(s.atS) },
  { title: 'streams', cell: (s) => num(s.streamsConnected) },
  { title: 'opens/s', cell: (s) => num(s.opensPerSecond) },
  { title: 'deliv/s', cell: (s) => num(s.deliveredPerSecond) },
  { title: 'RSS MB', cell: (s) => num(s.rssMb, 1) },
  { title: 'fds', cell: (s) => num(s.fds) },
  { title: 'CPU %', cell: (s) => num(s.cpuPercent) },
  { title: 'redis srv/all', cell: (s) => `${s.redisConnections}/${s.redisClients}` },
  {
    title: 'healthz p50/max ms',
    cell: (s) =>
      `${num(s.healthzP50Ms, 1)}/${num(s.healthzMaxMs, 1)}${s.healthzFailures > 0 ? ` (${s.healthzFailures} lost)` : ''}`,
  },
  { title: 'latency p50/p99 ms', cell: (s) => `${num(s.latencyP50Ms)}/${num(s.latencyP99Ms)}` },
  { title: 'errors', cell: (s) => num(s.errors + s.missed + s.duplicates + s.outOfOrder) },
];

const widths = columns.map((column) => Math.max(column.title.length, 10));

export function soakHeader(): string {
  const titles = columns.map((column, i) => column.title.padStart(widths[i] as number)).join('  ');
  return `${titles}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`;
}

export function soakRow(sample: SoakSample): string {
  return columns.map((column, i) => column.cell(sample).padStart(widths[i] as number)).join('  ');
}

export function soakVerdict(checks: readonly SoakCheck[]): string {
  return checks.map((check) => `${check.passed ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}`).join('\n');
}
