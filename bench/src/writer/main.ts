/**
 * `pnpm bench:writer [--streams=200] [--events=1000] [--rounds=3]`: CPU per delivery of the SSE writer for a pushed
 * subscription and for an async-generator one following the same source, and of tRPC's own SSE pipeline for the same
 * generator, in one server process. Each round measures all three one after the other; the table gives each round,
 * the median, and each median over the push stream's.
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startProcess, WAIT_TIMEOUT_MS } from '@threadcast/testkit';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    events: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
  },
});
const streams = positive(values.streams, 'streams');
const events = positive(values.events, 'events');
const rounds = positive(values.rounds, 'rounds');

function positive(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
}

const VARIANTS = {
  pushed: { path: '/trpc/bench.pushed', label: 'pushStream, SSE writer' },
  generated: { path: '/trpc/bench.generated', label: 'async generator, SSE writer' },
  stock: { path: '/stock/bench.generated', label: "async generator, tRPC's pipeline" },
} as const;
type Variant = keyof typeof VARIANTS;
const variantIds = Object.keys(VARIANTS) as Variant[];

const server = startProcess(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./writer-server.ts', import.meta.url))],
  {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, NODE_ENV: 'production' },
  },
);

async function get(url: string, method = 'GET'): Promise<string> {
  const response = await fetch(url, { method });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}`);
  return response.text();
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens `count` raw SSE streams of `variant`, each counting the `id:` lines it reads. */
function openStreams(url: string, token: string, variant: Variant, count: number) {
  const received = new Array<number>(count).fill(0);
  const requests = Array.from({ length: count }, (_, i) => {
    const req = request(`${url}${VARIANTS[variant].path}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let tail = '';
      res.on('data', (chunk: string) => {
        const text = tail + chunk;
        const lines = text.split('\n');
        tail = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('id: ')) received[i] = (received[i] ?? 0) + 1;
      });
    });
    req.on('error', () => {});
    req.end();
    return req;
  });
  return {
    total: () => received.reduce((sum, n) => sum + n, 0),
    close: () => {
      for (const req of requests) req.destroy();
    },
  };
}

async function measure(url: string, token: string, variant: Variant): Promise<number> {
  const open = openStreams(url, token, variant, streams);
  try {
    await until(`${streams} ${variant} streams`, async () => Number(await get(`${url}/listeners`)) === streams);
    const before = Number(await get(`${url}/cpu`));
    await get(`${url}/publish?count=${events}`, 'POST');
    await until(`${streams * events} deliveries`, () => open.total() === streams * events);
    const after = Number(await get(`${url}/cpu`));
    return (after - before) / (streams * events);
  } finally {
    open.close();
    await until('the streams to close', async () => Number(await get(`${url}/listeners`)) === 0);
  }
}

try {
  const [, url, token] = (await server.waitForLine(/listening at (\S+) token (\S+)/)) as [string, string, string];
  const results: Record<Variant, number[]> = { pushed: [], generated: [], stock: [] };
  // One warm-up round of each, not counted: the JIT settles.
  for (const variant of variantIds) await measure(url, token, variant);
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of variantIds) results[variant].push(await measure(url, token, variant));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`\n## CPU per delivery: ${streams} streams × ${events} events, one per turn of the event loop`);
  console.log(`${'variant'.padEnd(36)}${'rounds (µs)'.padEnd(28)}median µs  ×push`);
  for (const variant of variantIds) {
    const measured = results[variant].map((value) => value.toFixed(2)).join(', ');
    const ratio = median(results[variant]) / median(results.pushed);
    console.log(
      `${VARIANTS[variant].label.padEnd(36)}${measured.padEnd(28)}${median(results[variant]).toFixed(2).padStart(9)}  ${ratio.toFixed(2)}×`,
    );
  }
} finally {
  await server.stop();
}
