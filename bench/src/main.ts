/**
 * `pnpm bench [--quick] [--scenarios=fan-out,…] [--sizes=1000,…] [--variants=ours,node-floor,…] [--from=build]`:
 * the fan-out benchmark. Starts its own Redis (and the Redis Clusters that `ours-cluster1` and `ours-cluster3`
 * need, when `--variants` names them), then for each scenario × N × variant a server process (ours, stock
 * tRPC, the seed baseline, the pub/sub baseline, the Node floor; none for the Redis floor), load generator children that hold the
 * streams, and publishes from this process. Prints one table per scenario and writes bench/results/*.json. With
 * --quick, exits 1 if any step of our server lost, repeated or reordered an event, or had any error. Our server
 * runs from source through tsx, or with `--from=build` from its build (`pnpm build` first).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { RedisEventBus } from '@threadcast/bus/redis';
import { Redis } from 'ioredis';
import { BarePublish } from './bare-publish.ts';
import { BenchRedis, type RedisDeploymentId } from './bench-redis.ts';
import { BenchThreads } from './bench-threads.ts';
import { fdsNeeded, readFdLimits } from './fd-limits.ts';
import { LoadGeneratorPool } from './load-generator-pool.ts';
import { narrowPlan, plans } from './plan.ts';
import { BenchPublisher } from './publisher.ts';
import { formatScenarioTable } from './report-table.ts';
import { machine, writeResults } from './results-files.ts';
import { runPlan } from './run-plan.ts';
import { type Deployment, publishTokenFor } from './run-step.ts';
import { ServerSession } from './server-session.ts';
import { appFrom, isOurServer, ourVariantOn, type ServerSettings, selectVariants } from './variants.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    scenarios: { type: 'string' },
    sizes: { type: 'string' },
    variants: { type: 'string' },
    from: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const list = (value: string | undefined) => value?.split(',').map((item) => item.trim());
const plan = narrowPlan(plans[args.quick ? 'quick' : 'full'], {
  scenarios: list(args.scenarios),
  sizes: list(args.sizes)?.map(Number),
  rounds: args.rounds === undefined ? undefined : Number(args.rounds),
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

const selected = selectVariants(plan.variants);
// The single Redis always runs: the baselines use it, and it is what a cluster is compared with.
const redisIds = [...new Set<RedisDeploymentId>(['single', ...selected.map((variant) => variant.redis)])];
const maxClients = Math.min(fdLimits.hard - 64, 100_000);
const redises = new Map<RedisDeploymentId, BenchRedis>();
const deployments = new Map<RedisDeploymentId, Deployment>();
const buses: RedisEventBus[] = [];
const bareClients: BarePublish[] = [];
const generators = new LoadGeneratorPool();
let servers: ServerSession | null = null;
let exitCode = 1;
try {
  for (const id of redisIds) redises.set(id, await BenchRedis.start(id, maxClients));
  const clusterNodes = (id: 'cluster1' | 'cluster3') => redises.get(id)?.serverEnv.REDIS_CLUSTER_NODES;
  const settings: ServerSettings = {
    redisUrl: redises.get('single')?.serverEnv.REDIS_URL ?? '',
    clusterNodes: { cluster1: clusterNodes('cluster1'), cluster3: clusterNodes('cluster3') },
    authSecret: randomBytes(32).toString('base64url'),
    heartbeatMs: plan.heartbeatMs,
    from: appFrom(args.from),
  };
  servers = new ServerSession(settings, plan.serverPerVariant);
  for (const redis of redises.values()) {
    if (!selected.some((variant) => variant.redis === redis.id)) continue;
    process.stderr.write(
      `bench (${plan.name}): ${redis.id} Redis at ${redis.describe()}; creating ${maxThreads} threads through our server\n`,
    );
    const bus = new RedisEventBus({ url: redis.target });
    buses.push(bus);
    const ours = ourVariantOn(redis.id);
    if (!ours.start) throw new Error(`${ours.label} has no server`);
    const setupServer = await ours.start(settings);
    try {
      const setupStarted = Date.now();
      const threads = await BenchThreads.create(setupServer.url, maxThreads + 1);
      // One event per thread first, so every stream resumes from a lastEventId: a stream without one starts
      // after the newest event when its subscription begins, which may be after a step's first publication.
      const primer = await new BenchPublisher(
        publishTokenFor(ours, { redis, bus, bare: null, threads }),
        'prime',
      ).paced(threads.ids, 1, 1);
      for (const range of primer.ranges) threads.recordLastId(range.threadId, `${range.epoch}:${range.last}`);
      const bare = redis.target.kind === 'single' ? new BarePublish(new Redis(redis.target.url)) : null;
      if (bare) bareClients.push(bare);
      deployments.set(redis.id, { redis, bus, bare, threads });
      process.stderr.write(`threads ready in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      await setupServer.stop();
      throw error;
    }
    if (plan.serverPerVariant && selected.includes(ours)) servers.adopt(ours, setupServer);
    else await setupServer.stop();
  }

  const results = await runPlan(plan, { deployments, generators, servers, fdHardLimit: fdLimits.hard });
  for (const scenario of plan.scenarios) process.stdout.write(`\n${formatScenarioTable(scenario, results)}\n`);

  const failures = results
    .filter((result) => isOurServer(result.variant) && (result.status === 'failed' || result.status === 'error'))
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
  const load = `load average ${machine().loadAverage.join(' ')} on ${machine().cpuCount} cores`;
  process.stdout.write(`\nresults in ${dir} (${seconds} s; ${load})\n`);
  if (failures.length > 0) process.stdout.write(`\nOUR SERVER FAILED:\n  ${failures.join('\n  ')}\n`);
  // In the full sweep a failure at large N is a finding, reported above; the quick run is a gate.
  exitCode = plan.name === 'quick' && failures.length > 0 ? 1 : 0;
} finally {
  await servers?.close();
  await generators.stop();
  for (const bus of buses) await bus.close();
  for (const bare of bareClients) bare.close();
  for (const redis of redises.values()) await redis.stop();
}
process.exit(exitCode);
