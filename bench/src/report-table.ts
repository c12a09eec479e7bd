import { compare } from './comparisons.ts';
import type { Scenario } from './plan.ts';
import type { StepResult } from './step-result.ts';

interface Column {
  title: string;
  /** Left-aligned (text) rather than right-aligned (numbers). */
  left?: boolean;
  cell(result: StepResult, all: readonly StepResult[]): string;
}

const DASH = '–';

function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function times(value: number | null): string {
  return value === null ? DASH : `${num(value, 1)}×`;
}

function verdict(result: StepResult): string {
  if (result.status === 'skipped') return 'skipped';
  if (result.status === 'error') return 'ERROR';
  if (result.exactlyOnce === null) return result.status === 'ok' ? 'ok' : 'FAIL';
  return result.status === 'ok' ? 'OK' : 'FAIL';
}

const columns: Column[] = [
  { title: 'N', cell: (r) => num(r.n) },
  { title: 'variant', left: true, cell: (r) => r.label },
  { title: 'pub/s', cell: (r) => num(r.publishedPerSecond) },
  { title: 'deliv/s', cell: (r) => num(r.deliveredPerSecond) },
  { title: 'p50 ms', cell: (r) => num(r.latency?.p50Ms) },
  { title: 'p99 ms', cell: (r) => num(r.latency?.p99Ms) },
  { title: 'max ms', cell: (r) => num(r.latency?.maxMs) },
  { title: 'p99-redis', cell: (r, all) => num(compare(r, all).p99OverRedisFloorMs) },
  { title: 'RSS MB', cell: (r) => num(r.serverRssMb, 1) },
  { title: 'KB/stream', cell: (r) => num(r.rssPerStreamKb, 1) },
  { title: 'RSS×floor', cell: (r, all) => times(compare(r, all).rssPerStreamVsNodeFloor) },
  { title: 'CPU s', cell: (r) => num(r.serverCpuSeconds, 2) },
  { title: 'µs/deliv', cell: (r) => num(r.cpuMicrosPerDelivery, 1) },
  { title: 'CPU×floor', cell: (r, all) => times(compare(r, all).cpuPerDeliveryVsNodeFloor) },
  { title: 'redis conns', cell: (r) => num(r.redisConnections) },
  { title: 'errors', cell: (r) => num(r.errors) },
  { title: 'missed', cell: (r) => num(r.missed) },
  { title: 'dup/ooo', cell: (r) => num(r.duplicates + r.outOfOrder) },
  { title: 'exactly-once', left: true, cell: verdict },
];

/** The scenario's rows (N × variant) as an aligned text table, followed by the notes of failed or skipped rows. */
export function formatScenarioTable(scenario: Scenario, results: readonly StepResult[]): string {
  const rows = results.filter((result) => result.scenario === scenario.id);
  const cells = rows.map((row) => columns.map((column) => column.cell(row, results)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i]?.left ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [`## ${scenario.title}`, line(columns.map((column) => column.title))];
  out.push(line(widths.map((width) => '-'.repeat(width))));
  for (const row of cells) out.push(line(row));
  for (const row of rows) {
    const notes = [...row.notes, ...row.errorSamples.slice(0, 2)];
    if (row.status !== 'ok' && notes.length > 0) out.push(`  ${row.label} N=${row.n}: ${notes.join('; ')}`);
  }
  return out.join('\n');
}
