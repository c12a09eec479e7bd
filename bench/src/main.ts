/**
 * `pnpm bench [--quick] [--scenarios=fan-out,…] [--sizes=1000,…] [--variants=ours,node-floor,…] [--from=build]`:
 * the fan-out benchmark. Starts its own Redis, then for each scenario × N × variant a server process (ours, stock
 * tRPC, the seed baseline, the Node floor; none for the Redis floor), load generator children that hold the
 * streams, and publishes from this process. Prints one table per scenario and writes bench/results/*.json. With
 * --quick, exits 1 if any step of our server lost, repeated or reordered an event, or had any error. Our server
 * runs from source through tsx, or with `--from=build` from its build (`pnpm build` first).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { RedisEventBus } from '@threadcast/bus/redis';
import { startRedisServer } from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { BenchThreads } from './bench-threads.ts';
import { fdsNeeded, readFdLimits } from './fd-limits.ts';
import { LoadGeneratorPool } from './load-generator-pool.ts';
import { narrowPlan, plans } from './plan.ts';
import { BenchPublisher } from './publisher.ts';
import { formatScenarioTable } from './report-table.ts';
import { writeResults } from './results-files.ts';
import { runPlan } from './run-plan.ts';
import { ServerSession } from './server-session.ts';
import { appFrom, type ServerSettings, variants } from './variants.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    sizes: { type: 'string' },
    variants: { type: 'string' },
    from: { type: 'string' },
  },
});
const list = (value: string | undefined) => value?.split(',').map((item) => item.trim());
const plan = narrowPlan(plans[args.quick ? 'quick' : 'full'], {
  scenarios: list(args.scenarios),
  sizes: list(args.sizes)?.map(Number),
  variants: list(args.variants),
});
const startedAt = new Date();
const maxStreams = Math.max(
  ...plan.scenarios.flatMap((s) => s.sizes.map((n) => s.threads(n) * s.subscribersPerThread(n))),
);
const maxThreads = Math.max(...plan.scenarios.flatMap((s) => s.sizes.map((n) => s.threads(n))));

const fdLimits = await readFdLimits();
const seedFds = fdsNeeded(maxStreams, 2);
if (fdLimits.hard < seedFds) {
  process.stderr.write(
    `warning: the hard limit on open files is ${fdLimits.hard}; the seed baseline needs about ${seedFds} for ` +
      `${maxStreams} streams and is skipped where it would run out (raise it with \`ulimit -Hn\` as root)\n`,
  );
}

const redis = await startRedisServer();
const admin = new Redis(redis.url, { connectionName: 'bench-admin' });
const bus = new RedisEventBus({ url: redis.url });
const generators = new LoadGeneratorPool();
const settings: ServerSettings = {
  redisUrl: redis.url,
  authSecret: randomBytes(32).toString('base64url'),
  heartbeatMs: plan.heartbeatMs,
  from: appFrom(args.from),
};
const servers = new ServerSession(settings, plan.serverPerVariant);
let exitCode = 1;
try {
  // Redis's default of 10,000 clients would cap the seed baseline (one connection per stream) before its own fd limit does.
  await admin.config('SET', 'maxclients', String(Math.min(fdLimits.hard - 64, 100_000)));
  process.stderr.write(
    `bench (${plan.name}): Redis at ${redis.url}; creating ${maxThreads} threads through our server\n`,
  );
  const ours = variants[0];
  if (!ours?.start) throw new Error('the first variant must be our server');
  const setupServer = await ours.start(settings);
  const setupStarted = Date.now();
  const threads = await BenchThreads.create(setupServer.url, maxThreads + 1);
  // One event per thread first, so every stream resumes from a lastEventId: a stream without one starts
  // after the newest event when its subscription begins, which may be after a step's first publication.
  const primer = await new BenchPublisher(bus, 'prime').paced(threads.ids, 1, 1);
  for (const range of primer.ranges) threads.recordLastId(range.threadId, `${range.epoch}:${range.last}`);
  process.stderr.write(`threads ready in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s\n`);
  if (plan.serverPerVariant) servers.adopt(ours, setupServer);
  else await setupServer.stop();

  const results = await runPlan(plan, {
    redisUrl: redis.url,
    admin,
    bus,
    threads,
    generators,
    servers,
    fdHardLimit: fdLimits.hard,
  });
  for (const scenario of plan.scenarios) process.stdout.write(`\n${formatScenarioTable(scenario, results)}\n`);

  const failures = results
    .filter((result) => result.variant === 'ours' && (result.status === 'failed' || result.status === 'error'))
    .map((result) => `${result.scenario} N=${result.n}: ${result.notes.join('; ') || 'see errors'}`);
  const dir = await writeResults(plan, results, {
    plan: plan.name,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    passed: failures.length === 0,
    failures,
    fdLimits,
  });
  const seconds = ((Date.now() - startedAt.getTime()) / 1000).toFixed(0);
  process.stdout.write(`\nresults in ${dir} (${seconds} s)\n`);
  if (failures.length > 0) process.stdout.write(`\nOUR SERVER FAILED:\n  ${failures.join('\n  ')}\n`);
  // In the full sweep a failure at large N is a finding, reported above; the quick run is a gate.
  exitCode = plan.name === 'quick' && failures.length > 0 ? 1 : 0;
} finally {
  await servers.release();
  await generators.stop();
  await bus.close();
  admin.disconnect();
  await redis.stop();
}
process.exit(exitCode);
