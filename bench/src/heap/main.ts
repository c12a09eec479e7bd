/**
 * `pnpm bench:heap [--streams=1000] [--from=build]`: where an idle stream's memory goes. Starts a Redis of its own,
 * our server and the Node floor, and for each takes a heap snapshot before and after opening `--streams` idle
 * streams; prints the heap per stream by kind of object, side by side, and writes `results/heap.json`. Our server
 * runs from source through tsx, or with `--from=build` from its build (`pnpm build` first).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countOpenFds, startRedisServer } from '@threadcast/testkit';
import { BenchThreads } from '../bench-threads.ts';
import { machine } from '../results-files.ts';
import { SseStream } from '../sse-stream.ts';
import { appFrom, type RunningServer, type Variant, variants } from '../variants.ts';
import { growthPerStream, type HeapCensus, heapCensus, type KindGrowth, totalBytes } from './heap-census.ts';

const streams = Number(
  /^--streams=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith('--streams=')) ?? '')?.[1] ?? 1000,
);
const from = appFrom(process.argv.find((arg) => arg.startsWith('--from='))?.slice('--from='.length));
const WARM_UP_STREAMS = 50;
const THREADS = 10;
const SHOWN_KINDS = 20;

interface VariantHeap {
  variant: string;
  bytesPerStream: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  kinds: KindGrowth[];
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Open streams as our server counts them (`/metrics`); the floor counts none, and is ready when its sockets are. */
async function openStreams(server: RunningServer): Promise<number | null> {
  const response = await fetch(`${server.url}/metrics`).catch(() => null);
  if (!response?.ok) return null;
  // One series per procedure (and one with none, always 0): the streams open are their sum.
  const series = [...(await response.text()).matchAll(/^threadcast_streams_open(?:\{[^}]*\})? (\d+)/gm)];
  return series.length === 0 ? null : series.reduce((sum, match) => sum + Number(match[1]), 0);
}

/** Makes the server write a heap snapshot (`--heapsnapshot-signal`) and reads it back. */
async function snapshot(server: RunningServer, dir: string): Promise<HeapCensus> {
  const before = new Set(await readdir(dir));
  process.kill(server.pid, 'SIGUSR2');
  let file = '';
  await until('the heap snapshot', async () => {
    file = (await readdir(dir)).find((name) => !before.has(name) && name.endsWith('.heapsnapshot')) ?? '';
    return file !== '';
  });
  // The snapshot is written on the server's main thread: once it answers a request, the file is complete.
  await fetch(`${server.url}/healthz`).then((response) => response.arrayBuffer());
  const census = await heapCensus(join(dir, file));
  await rm(join(dir, file));
  return census;
}

function openIdle(server: RunningServer, threads: BenchThreads, count: number): SseStream[] {
  return Array.from({ length: count }, (_, i) => {
    const threadId = threads.ids[i % threads.ids.length] as string;
    return new SseStream({ kind: 'sse', baseUrl: server.url, token: threads.token }, threads.spec(threadId), {
      onEvent() {},
      onHeartbeat() {},
      onError(message) {
        throw new Error(`stream failed: ${message}`);
      },
    });
  });
}

async function measure(
  variant: Variant,
  threads: BenchThreads,
  settings: Parameters<NonNullable<Variant['start']>>[0],
  dir: string,
): Promise<VariantHeap> {
  const server = await (variant.start as NonNullable<Variant['start']>)(settings);
  try {
    const warmUp = openIdle(server, threads, WARM_UP_STREAMS);
    await Promise.all(warmUp.map((stream) => stream.opened));
    if (variant.id === 'ours')
      await until('the warm-up streams', async () => (await openStreams(server)) === WARM_UP_STREAMS);
    // Each stream holds one socket: once the server has let go of all of them, it is back to its idle state.
    const withWarmUp = (await countOpenFds(server.pid)) ?? 0;
    for (const stream of warmUp) stream.close();
    await until(
      'the warm-up streams to close',
      async () => ((await countOpenFds(server.pid)) ?? 0) <= withWarmUp - WARM_UP_STREAMS,
    );
    const before = await snapshot(server, dir);
    const open = openIdle(server, threads, streams);
    await Promise.all(open.map((stream) => stream.opened));
    // Ours sets each subscription up after `connected`; wait until all of them count as open.
    if (variant.id === 'ours')
      await until('every stream to be set up', async () => (await openStreams(server)) === streams);
    const after = await snapshot(server, dir);
    for (const stream of open) stream.close();
    return {
      variant: variant.label,
      bytesPerStream: (totalBytes(after) - totalBytes(before)) / streams,
      heapBeforeMb: totalBytes(before) / 2 ** 20,
      heapAfterMb: totalBytes(after) / 2 ** 20,
      kinds: growthPerStream(before, after, streams),
    };
  } finally {
    await server.stop();
  }
}

function printTable(results: VariantHeap[]): void {
  const [ours, floor] = results as [VariantHeap, VariantHeap];
  const floorBytes = new Map(floor.kinds.map((kind) => [kind.kind, kind.bytesPerStream]));
  const rows = ours.kinds
    .slice(0, SHOWN_KINDS)
    .map((kind) => [
      kind.kind.slice(0, 48),
      kind.bytesPerStream.toFixed(0),
      kind.countPerStream.toFixed(2),
      (floorBytes.get(kind.kind) ?? 0).toFixed(0),
    ]);
  const header = ['kind of object (V8 type and name)', 'ours B/stream', 'ours objects/stream', 'floor B/stream'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ');
  console.log(`\n## heap per idle stream, ${streams.toLocaleString('en')} streams (top ${SHOWN_KINDS} kinds of ours)`);
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  const ratio = ours.bytesPerStream / floor.bytesPerStream;
  console.log(
    `\ntotal: ours ${(ours.bytesPerStream / 1024).toFixed(1)} KB per stream, Node floor ${(floor.bytesPerStream / 1024).toFixed(1)} KB (${ratio.toFixed(1)}×)`,
  );
}

const redis = await startRedisServer();
const dir = await mkdtemp(join(tmpdir(), 'threadcast-heap-'));
// Inherited by the servers this process starts (and only by them).
process.env.NODE_OPTIONS = `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}`;
try {
  const settings = { redisUrl: redis.url, authSecret: randomBytes(24).toString('hex'), heartbeatMs: 15_000, from };
  const byId = (id: Variant['id']) => variants.find((variant) => variant.id === id) as Variant;
  // The threads (and the token) come from our server; the floor streams the same ids without auth.
  const creator = await (byId('ours').start as NonNullable<Variant['start']>)(settings);
  const threads = await BenchThreads.create(creator.url, THREADS).finally(() => creator.stop());
  const results = [];
  for (const id of ['ours', 'node-floor'] as const) {
    console.log(`measuring ${byId(id).label} with ${streams} idle streams…`);
    results.push(await measure(byId(id), threads, settings, dir));
  }
  printTable(results);
  const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));
  await mkdir(resultsDir, { recursive: true });
  const json = { streams, machine: machine(), finishedAt: new Date().toISOString(), results };
  await writeFile(join(resultsDir, 'heap.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`figures in ${join(resultsDir, 'heap.json')}`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await redis.stop();
}
