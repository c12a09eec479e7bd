import type { RedisEventBus } from '@threadcast/bus/redis';
import { readProcessStats, WAIT_TIMEOUT_MS } from '@threadcast/testkit';
import type { BarePublish } from './bare-publish.ts';
import type { BenchRedis } from './bench-redis.ts';
import type { BenchThreads } from './bench-threads.ts';
import { mergeHistograms, summarizeLatency } from './latency-histogram.ts';
import type { LoadGeneratorPool } from './load-generator-pool.ts';
import type { LoadGeneratorProcess } from './load-generator-process.ts';
import { loadGeneratorCount, type Scenario } from './plan.ts';
import type { LoadReply, LoadTotals, RedisTarget, SseTarget, StreamSpec } from './protocol.ts';
import { BenchPublisher, type PublishReport, type PublishToken } from './publisher.ts';
import { type RedisConnections, waitForSubscribers } from './redis-admin.ts';
import type { StepResult } from './step-result.ts';
import type { RunningServer, Variant } from './variants.ts';

/** A Redis the run started, the bus that publishes to it, and the threads created on it. */
export interface Deployment {
  redis: BenchRedis;
  bus: RedisEventBus;
  /** The at-most-once baseline's bare publishing (single Redis only). */
  bare: BarePublish | null;
  threads: BenchThreads;
}

/** How a step publishes to `variant`: our bus, or the baseline's bare `PUBLISH`. */
export function publishTokenFor(variant: Variant, deployment: Deployment): PublishToken {
  if (variant.publishes === 'bus') {
    return (event, producer, sequence) =>
      deployment.bus.publish(event, { idempotency: { producer, sequence } }).then((stored) => stored.position);
  }
  const { bare } = deployment;
  if (!bare) throw new Error(`${variant.label} publishes with a bare PUBLISH, which needs a single Redis`);
  return bare.publish;
}

export interface StepContext {
  /** The Redis of the step's variant. */
  deployment: Deployment;
  generators: LoadGeneratorPool;
  /** Distinguishes this step's producers (run ids) from every other step's. */
  stepTag: string;
  /** The round of the scenario × N (`--rounds`). */
  round: number;
}

/** SSE connections being set up at once, over all load generators (the listen backlog is 511). */
const OPEN_CONCURRENCY = 256;
const BURST_WINDOW = 64; // PUBLISH_WINDOW's default: what a worker keeps in flight
// Waits on the server and the load generators end as soon as they are done: these bounds only decide when to give
// up, and a loaded machine must not reach them.
const DRAIN_TIMEOUT_MS = WAIT_TIMEOUT_MS;

type Finished = Extract<LoadReply, { type: 'finished' }>;

function split<T>(items: readonly T[], parts: number): T[][] {
  const out = Array.from({ length: parts }, () => [] as T[]);
  for (const [i, item] of items.entries()) out[i % parts]?.push(item);
  return out;
}

function sumTotals(replies: readonly Finished[]): LoadTotals {
  const total: LoadTotals = {
    streams: 0,
    received: 0,
    missed: 0,
    duplicates: 0,
    outOfOrder: 0,
    foreign: 0,
    errors: 0,
    heartbeats: 0,
    resets: 0,
    errorSamples: [],
  };
  for (const { totals } of replies) {
    for (const key of ['streams', 'received', 'missed', 'duplicates', 'outOfOrder', 'foreign', 'errors'] as const) {
      total[key] += totals[key];
    }
    total.heartbeats += totals.heartbeats;
    total.resets += totals.resets;
    total.errorSamples.push(...totals.errorSamples);
  }
  return total;
}

async function runWorkload(scenario: Scenario, threadIds: string[], publisher: BenchPublisher) {
  const { workload } = scenario;
  if (workload.kind === 'idle') {
    await new Promise((resolve) => setTimeout(resolve, workload.windowMs));
    return null;
  }
  if (workload.kind === 'paced') return publisher.paced(threadIds, workload.intervalMs, workload.durationMs);
  return publisher.burst(threadIds[0] ?? '', workload.count, BURST_WINDOW);
}

/**
 * One scenario × N × variant against a running server (null for the Redis floor): open the streams,
 * wait until the server is subscribed, run the workload, wait until every client caught up, measure,
 * close the streams. The server's lifecycle belongs to the caller.
 */
export async function runStep(
  context: StepContext,
  scenario: Scenario,
  n: number,
  variant: Variant,
  server: RunningServer | null,
): Promise<StepResult> {
  const { threads, redis } = context.deployment;
  const threadIds = threads.take(scenario.threads(n));
  const perThread = scenario.subscribersPerThread(n);
  const specs: StreamSpec[] = server
    ? threadIds.flatMap((threadId) => Array.from({ length: perThread }, () => threads.spec(threadId)))
    : threadIds.map((threadId) => threads.spec(threadId));
  const target: SseTarget | RedisTarget = server
    ? { kind: 'sse', baseUrl: server.url, token: variant.authenticated ? threads.token : null }
    : { kind: 'redis', redisUrl: singleUrl(redis) };
  const generators = await context.generators.acquire(loadGeneratorCount(specs.length));
  const notes: string[] = [];
  try {
    const before = server ? await readProcessStats(server.pid) : null;
    const openTimeoutMs = WAIT_TIMEOUT_MS + specs.length * 3;
    const parts = split(specs, generators.length);
    const concurrency = Math.ceil(OPEN_CONCURRENCY / generators.length);
    const opens = await Promise.all(
      generators.map((generator, i) =>
        generator.request(
          { type: 'open', target, streams: parts[i] ?? [], concurrency, timeoutMs: openTimeoutMs },
          'opened',
          openTimeoutMs + 15_000,
        ),
      ),
    );
    const opened = opens.reduce((sum, reply) => sum + reply.opened, 0);
    if (opened < specs.length) notes.push(`${specs.length - opened} of ${specs.length} streams did not open`);

    if (server) {
      const wanted = new Map(
        threadIds.map((id) => [redis.channel(id), variant.redisSubscriptionPerStream ? perThread : 1]),
      );
      // Streams that did not open never subscribe: then there is nothing to wait for beyond a moment.
      const readyTimeoutMs = opened < specs.length ? 2_000 : WAIT_TIMEOUT_MS + specs.length / 2;
      const ready = await waitForSubscribers((channels) => redis.subscriberCounts(channels), wanted, readyTimeoutMs);
      if (!ready) notes.push('the server did not subscribe every channel in time');
      // Subscriber counts show a thread's first stream subscribed, not the others that share its subscription.
      if (perThread > 1 && !variant.redisSubscriptionPerStream && scenario.workload.kind !== 'idle') {
        const settled = await settleOnWarmUp(context, variant, threadIds, generators, readyTimeoutMs);
        if (!settled) notes.push(`not every stream had the warm-up event after ${readyTimeoutMs} ms`);
      }
    }

    const cpuAtStart = server ? await readProcessStats(server.pid) : null;
    const redisAtStart = await readRedisCpu(redis);
    const publisherCpu = process.cpuUsage();
    const publisher = new BenchPublisher(publishTokenFor(variant, context.deployment), context.stepTag);
    const publish = await runWorkload(scenario, threadIds, publisher);
    const publisherCpuSeconds = publish ? cpuSecondsOf(process.cpuUsage(publisherCpu)) : null;
    // What the bare baseline publishes is not in the threads' history: our server's streams must not resume from it.
    if (variant.publishes === 'bus') {
      for (const range of publish?.ranges ?? []) threads.recordLastId(range.threadId, `${range.epoch}:${range.last}`);
    }
    if (publish && publish.failed > 0) notes.push(`${publish.failed} publishes failed: ${publish.errorSamples[0]}`);

    const expected = publish?.ranges ?? [];
    const finishes = await Promise.all(
      generators.map((generator) =>
        generator.request(
          { type: 'finish', expected, timeoutMs: DRAIN_TIMEOUT_MS },
          'finished',
          DRAIN_TIMEOUT_MS + 15_000,
        ),
      ),
    );
    if (finishes.some((reply) => !reply.caughtUp)) notes.push(`clients had not caught up after ${DRAIN_TIMEOUT_MS} ms`);
    const heartbeats = finishes.reduce((sum, reply) => sum + reply.totals.heartbeats, 0);
    if (server && scenario.workload.kind === 'idle' && opened > 0 && heartbeats < opened) {
      notes.push(`only ${heartbeats} heartbeats reached ${opened} idle streams`);
    }
    const after = server ? await readProcessStats(server.pid) : null;
    const redisAfter = await readRedisCpu(redis);
    const measuredPid = server?.pid ?? generators[0]?.pid;
    const redisConnections = measuredPid === undefined ? null : await redis.connectionsOf(measuredPid);
    await closeAll(generators);
    return measure({
      scenario,
      n,
      variant,
      specs,
      opened,
      publish,
      finishes,
      before,
      cpuAtStart,
      after,
      redis: { deployment: redis, atStart: redisAtStart, after: redisAfter },
      publisherCpuSeconds,
      redisConnections,
      notes,
      round: context.round,
    });
  } catch (error) {
    for (const generator of generators) generator.kill();
    throw error;
  }
}

/**
 * One event per thread, and every stream must have it before the step publishes: a stream whose subscription
 * began late (its history read behind a burst that trimmed the history past its resume point) would otherwise
 * start with a `reset` notice and miss the events in between.
 */
async function settleOnWarmUp(
  context: StepContext,
  variant: Variant,
  threadIds: string[],
  generators: readonly LoadGeneratorProcess[],
  timeoutMs: number,
): Promise<boolean> {
  const { threads } = context.deployment;
  const publishToken = publishTokenFor(variant, context.deployment);
  const warmUp = await new BenchPublisher(publishToken, `${context.stepTag}-warm-up`).paced(threadIds, 1, 1);
  if (variant.publishes === 'bus') {
    for (const range of warmUp.ranges) threads.recordLastId(range.threadId, `${range.epoch}:${range.last}`);
  }
  const replies = await Promise.all(
    generators.map((generator) =>
      generator.request({ type: 'settle', expected: warmUp.ranges, timeoutMs }, 'settled', timeoutMs + 15_000),
    ),
  );
  return warmUp.failed === 0 && replies.every((reply) => reply.caughtUp);
}

interface RedisCpuReading {
  at: number;
  /** Per node. */
  cpuSeconds: number[];
}

async function readRedisCpu(redis: BenchRedis): Promise<RedisCpuReading> {
  return { at: Date.now(), cpuSeconds: await redis.cpuSeconds() };
}

function cpuSecondsOf(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

/** The Redis floor subscribes with a plain client: only to a single Redis. */
function singleUrl(redis: BenchRedis): string {
  if (redis.target.kind !== 'single') throw new Error(`the Redis floor runs on a single Redis, not ${redis.id}`);
  return redis.target.url;
}

async function closeAll(generators: readonly LoadGeneratorProcess[]): Promise<void> {
  await Promise.all(generators.map((generator) => generator.request({ type: 'close' }, 'closed', 30_000)));
}

interface Measurements {
  scenario: Scenario;
  n: number;
  variant: Variant;
  specs: StreamSpec[];
  opened: number;
  publish: PublishReport | null;
  finishes: Finished[];
  before: Awaited<ReturnType<typeof readProcessStats>>;
  cpuAtStart: Awaited<ReturnType<typeof readProcessStats>>;
  after: Awaited<ReturnType<typeof readProcessStats>>;
  redis: { deployment: BenchRedis; atStart: RedisCpuReading; after: RedisCpuReading };
  publisherCpuSeconds: number | null;
  redisConnections: RedisConnections | null;
  notes: string[];
  round: number;
}

/** In a burst the growth is queued messages, not streams: no per-stream figure there. */
function perStreamKb(m: Measurements): number | null {
  if (!m.after || !m.before || m.opened === 0 || m.scenario.workload.kind === 'burst') return null;
  return (m.after.rssBytes - m.before.rssBytes) / 1024 / m.opened;
}

function measure(m: Measurements): StepResult {
  const totals = sumTotals(m.finishes);
  const latency = summarizeLatency(mergeHistograms(m.finishes.map((reply) => reply.histogram)));
  const lastReceiveAt = Math.max(...m.finishes.map((reply) => reply.lastReceiveAt));
  const deliverySeconds = m.publish ? (lastReceiveAt - m.publish.startedAt) / 1000 : null;
  const publishSeconds = m.publish ? (m.publish.endedAt - m.publish.startedAt) / 1000 : null;
  const cpuSeconds = m.after && m.cpuAtStart ? m.after.cpuSeconds - m.cpuAtStart.cpuSeconds : null;
  const exactlyOnce = m.publish
    ? totals.missed === 0 && totals.duplicates === 0 && totals.outOfOrder === 0 && totals.foreign === 0
    : null;
  const failed = totals.errors > 0 || exactlyOnce === false || m.opened < m.specs.length || m.notes.length > 0;
  const redisNodeCpu = m.redis.after.cpuSeconds.map((seconds, i) => seconds - (m.redis.atStart.cpuSeconds[i] ?? 0));
  const redisCpuSeconds = redisNodeCpu.reduce((sum, seconds) => sum + seconds, 0);
  const redisWindowSeconds = (m.redis.after.at - m.redis.atStart.at) / 1000;
  const cpuMicrosPerDelivery = cpuSeconds !== null && totals.received > 0 ? (cpuSeconds * 1e6) / totals.received : null;
  const redisCpuMicrosPerDelivery = totals.received > 0 ? (redisCpuSeconds * 1e6) / totals.received : null;
  const published = m.publish?.published ?? 0;
  return {
    scenario: m.scenario.id,
    n: m.n,
    round: m.round,
    variant: m.variant.id,
    label: m.variant.label,
    redis: m.redis.deployment.id,
    redisNodes: m.redis.deployment.nodeCount,
    status: failed ? 'failed' : 'ok',
    notes: m.notes,
    streamsRequested: m.specs.length,
    streamsOpened: m.opened,
    published,
    publishFailures: m.publish?.failed ?? 0,
    publishedPerSecond: m.publish && publishSeconds ? m.publish.published / publishSeconds : null,
    publisherSkippedTicks: m.publish?.skippedTicks ?? 0,
    publisherCpuSeconds: m.publisherCpuSeconds,
    delivered: totals.received,
    deliveredPerSecond: deliverySeconds && deliverySeconds > 0 ? totals.received / deliverySeconds : null,
    latency,
    serverRssMb: m.after ? m.after.rssBytes / 2 ** 20 : null,
    rssPerStreamKb: perStreamKb(m),
    serverCpuSeconds: cpuSeconds,
    cpuMicrosPerDelivery,
    redisCpuSeconds,
    redisCpuMicrosPerDelivery,
    redisCpuMicrosPerPublish: published > 0 ? (redisCpuSeconds * 1e6) / published : null,
    serverPlusRedisCpuMicrosPerDelivery:
      cpuMicrosPerDelivery !== null && redisCpuMicrosPerDelivery !== null
        ? cpuMicrosPerDelivery + redisCpuMicrosPerDelivery
        : null,
    redisNodeCpuPercent: redisNodeCpu.map((seconds) =>
      redisWindowSeconds > 0 ? (100 * seconds) / redisWindowSeconds : 0,
    ),
    redisConnections: m.redisConnections?.total ?? null,
    redisConnectionsByName: m.redisConnections?.byName ?? null,
    errors: totals.errors,
    missed: totals.missed,
    duplicates: totals.duplicates,
    outOfOrder: totals.outOfOrder,
    foreign: totals.foreign,
    resets: totals.resets,
    reconnects: 0,
    exactlyOnce,
    heartbeatsPerStream: totals.streams > 0 ? totals.heartbeats / totals.streams : null,
    loadGeneratorCpuSeconds: m.finishes.map((reply) => reply.cpuSeconds),
    windowSeconds: deliverySeconds,
    errorSamples: totals.errorSamples.slice(0, 5),
  };
}
