import { compare } from './comparisons.ts';
import { type RoundsMedian, roundsMedians } from './medians.ts';
import type { Scenario } from './plan.ts';
import type { StepResult } from './step-result.ts';
import { isOurServer } from './variants.ts';

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
  { title: 'redis µs/pub', cell: (r) => num(r.redisCpuMicrosPerPublish, 1) },
  { title: 'redis µs/deliv', cell: (r) => num(r.redisCpuMicrosPerDelivery, 1) },
  { title: 'srv+redis µs', cell: (r) => num(r.serverPlusRedisCpuMicrosPerDelivery, 1) },
  { title: '×pubsub', cell: (r, all) => times(compare(r, all).serverPlusRedisVsPubsub) },
  { title: 'redis conns', cell: (r) => num(r.redisConnections) },
  { title: 'errors', cell: (r) => num(r.errors) },
  { title: 'missed', cell: (r) => num(r.missed) },
  { title: 'dup/ooo', cell: (r) => num(r.duplicates + r.outOfOrder) },
  { title: 'exactly-once', left: true, cell: verdict },
];

const roundColumn: Column = { title: 'round', cell: (r) => num(r.round) };

function formatMedians(title: string, medians: readonly RoundsMedian[]): string[] {
  const header = ['N', 'variant', 'rounds', 'deliv/s', 'µs/deliv', 'redis µs/pub', 'srv+redis µs', '×pubsub'];
  const cells = medians.map((m) => [
    num(m.n),
    m.label,
    num(m.rounds),
    num(m.deliveredPerSecond),
    num(m.cpuMicrosPerDelivery, 1),
    num(m.redisCpuMicrosPerPublish, 1),
    num(m.serverPlusRedisCpuMicrosPerDelivery, 1),
    m.serverPlusRedisVsPubsub === null ? DASH : `${num(m.serverPlusRedisVsPubsub, 2)}×`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (i === 1 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [`## ${title}`, line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)];
}

/** Our server on each Redis: what a cluster changes, against the single Redis of the same run. */
const redisColumns: Column[] = [
  { title: 'N', cell: (r) => num(r.n) },
  { title: 'variant', left: true, cell: (r) => r.label },
  { title: 'nodes', cell: (r) => num(r.redisNodes) },
  { title: 'pub/s', cell: (r) => num(r.publishedPerSecond) },
  { title: 'deliv/s', cell: (r) => num(r.deliveredPerSecond) },
  { title: '×single', cell: (r, all) => times(compare(r, all).deliveredPerSecondVsSingle) },
  { title: 'p99 ms', cell: (r) => num(r.latency?.p99Ms) },
  { title: 'µs/deliv', cell: (r) => num(r.cpuMicrosPerDelivery, 1) },
  { title: '×single', cell: (r, all) => times(compare(r, all).cpuPerDeliveryVsSingle) },
  { title: 'redis µs/deliv', cell: (r) => num(r.redisCpuMicrosPerDelivery, 1) },
  { title: '×single', cell: (r, all) => times(compare(r, all).redisCpuPerDeliveryVsSingle) },
  {
    title: 'redis CPU % per node',
    cell: (r) => (r.redisNodeCpuPercent.length ? r.redisNodeCpuPercent.map((p) => num(p)).join('/') : DASH),
  },
  { title: 'server redis conns', left: true, cell: (r) => formatConnections(r.redisConnectionsByName) },
  { title: 'exactly-once', left: true, cell: verdict },
];

/**
 * `bus 3, bus-sub 3, cluster-sub 1`: the server's connections by name, without the `threadcast-` of our names;
 * `cluster-sub` is the ioredis cluster client's own subscriber (`ioredis-cluster(subscriber):threadcast-bus`).
 */
function formatConnections(byName: Record<string, number> | null): string {
  if (!byName) return DASH;
  const short = (name: string) =>
    name.startsWith('ioredis-cluster(subscriber)') ? 'cluster-sub' : name.replace(/^threadcast-/, '') || 'unnamed';
  const entries = Object.entries(byName).sort(([a], [b]) => a.localeCompare(b));
  return entries.map(([name, count]) => `${short(name)} ${count}`).join(', ');
}

function formatTable(
  title: string,
  columns: readonly Column[],
  rows: readonly StepResult[],
  all: readonly StepResult[],
) {
  const cells = rows.map((row) => columns.map((column) => column.cell(row, all)));
  const widths = columns.map((column, i) => Math.max(column.title.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (columns[i]?.left ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [`## ${title}`, line(columns.map((column) => column.title))];
  out.push(line(widths.map((width) => '-'.repeat(width))));
  for (const row of cells) out.push(line(row));
  return out;
}

/**
 * The scenario's rows (N × variant) as an aligned text table, followed by the notes of failed or skipped rows;
 * when our server also ran on a Redis Cluster, a second table compares it on each Redis.
 */
export function formatScenarioTable(scenario: Scenario, results: readonly StepResult[]): string {
  // By N first: a quick run goes variant by variant.
  const rows = results.filter((result) => result.scenario === scenario.id).sort((a, b) => a.n - b.n);
  const rounds = Math.max(1, ...rows.map((row) => row.round));
  const shown = rounds > 1 ? [columns[0] as Column, roundColumn, ...columns.slice(1)] : columns;
  const out = formatTable(scenario.title, shown, rows, results);
  for (const row of rows) {
    const notes = [...row.notes, ...row.errorSamples.slice(0, 2)];
    if (row.status !== 'ok' && notes.length > 0) out.push(`  ${row.label} N=${row.n}: ${notes.join('; ')}`);
  }
  if (rounds > 1) {
    out.push('', ...formatMedians(`${scenario.id}: medians over ${rounds} rounds`, roundsMedians(rows)));
  }
  if (rows.some((row) => row.redis !== 'single')) {
    const ours = rows.filter((row) => isOurServer(row.variant));
    out.push('', ...formatTable(`${scenario.id}: our server on each Redis`, redisColumns, ours, results));
  }
  return out.join('\n');
}
