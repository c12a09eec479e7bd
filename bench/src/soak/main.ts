/**
 * `pnpm soak [--duration=10m] [--streams=1000] …`: runs one server process and a
 * worker on a Redis of their own, keeps about `--streams` streams opening and closing on `--threads`
 * threads while runs stream on them, and samples the server: RSS, open fds, CPU, Redis connections,
 * `/healthz` round trip (its event-loop lag, seen from outside), and delivery latency. Prints a row per
 * sample and a verdict, writes bench/results/soak.json, and exits 1 unless the server stayed flat.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  countOpenFds,
  findServingPid,
  startRedisServer,
  startServerProcess,
  startWorkerProcess,
  WAIT_TIMEOUT_MS,
} from '@threadcast/testkit';
import { Redis } from 'ioredis';
import { machine } from '../results-files.ts';
import { SseStream } from '../sse-stream.ts';
import { callMutation } from '../trpc-call.ts';
import { ChurnChild } from './churn-child.ts';
import { healthzRoundTrips, readServerFigures } from './server-probe.ts';
import { parseSoakOptions, SOAK_USAGE } from './soak-options.ts';
import { soakHeader, soakRow, soakVerdict } from './soak-table.ts';
import { judgeSoak, type SoakBaseline, type SoakSample } from './soak-verdict.ts';

const resultsDir = fileURLToPath(new URL('../../results/', import.meta.url));
const HEALTHZ_PROBES = 5;
const log = (line: string) => process.stderr.write(`${line}\n`);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let options: ReturnType<typeof parseSoakOptions>;
try {
  options = parseSoakOptions(process.argv.slice(2));
} catch (error) {
  log(`${error instanceof Error ? error.message : error}\nusage: ${SOAK_USAGE}`);
  process.exit(2);
}

/** Polls `read` until it has given the same value `times` times in a row (or `timeoutMs` passed). */
async function settled(read: () => Promise<number>, times = 5, everyMs = 200, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  let same = 1;
  while (same < times && Date.now() < deadline) {
    await pause(everyMs);
    const next = await read();
    same = next === value ? same + 1 : 1;
    value = next;
  }
  return value;
}

const startedAt = new Date();
const redis = await startRedisServer();
const admin = new Redis(redis.url, { connectionName: 'soak-admin' });
const authSecret = randomBytes(32).toString('base64url');
const env = {
  REDIS_URL: redis.url,
  AUTH_SECRET: authSecret,
  AUTH_DEV_LOGIN: '1',
  SSE_HEARTBEAT_MS: '5000',
  STREAMS_PER_USER: '100000',
  STREAMS_PER_SERVER: '100000',
  RUN_STARTS_PER_MINUTE: '1000000',
  AGENT_TOKEN_DELAY_MS: '20',
  // Text-only runs of a short prompt (below), about the load the soak's bounds were set for: every stream that
  // opens replays its thread's latest run, and a demo run with tools carries about 2.5 times the events.
  AGENT_TOOLS: '',
  WORKER_CONCURRENCY: '64',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
};
const [server, worker] = await Promise.all([startServerProcess(env), startWorkerProcess(env)]);
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let churn: ChurnChild | null = null;
let runTimer: NodeJS.Timeout | undefined;
let exitCode = 1;
try {
  const pid = await findServingPid(server.child.pid as number);
  const { token } = await callMutation<{ token: string }>(server.url, 'auth.devLogin', { name: 'soak' });
  const threadIds: string[] = [];
  for (let i = 0; i < options.threads; i += 1) {
    threadIds.push((await callMutation<{ threadId: string }>(server.url, 'thread.create', {}, token)).threadId);
  }

  // One stream first, so the shared subscriber (connected on the first stream) is in the baseline.
  const primer = new SseStream(
    { kind: 'sse', baseUrl: server.url, token },
    { threadId: threadIds[0] as string, lastEventId: null },
    { onEvent: () => {}, onHeartbeat: () => {}, onError: () => {} },
  );
  await primer.opened;
  const subscribed = Date.now() + WAIT_TIMEOUT_MS;
  while ((await readServerFigures(pid, admin)).redisConnections < 2 && Date.now() < subscribed) await pause(50);
  primer.close();
  const baseline: SoakBaseline = {
    fds: await settled(async () => (await countOpenFds(pid)) ?? Number.NaN),
    redisConnections: (await readServerFigures(pid, admin)).redisConnections,
  };
  log(
    `soak: ${options.durationS} s, ${options.streams} streams on ${options.threads} threads, ` +
      `${options.runsPerSecond} runs/s; server pid ${pid}: ${baseline.fds} fds, ` +
      `${baseline.redisConnections} Redis connections before the first stream`,
  );

  churn = await ChurnChild.start({
    baseUrl: server.url,
    token,
    threadIds,
    streams: options.streams,
    minLifeMs: options.minLifeMs,
    maxLifeMs: options.maxLifeMs,
    rampPer100Ms: 20,
  });
  let runStartFailures = 0;
  const runErrors: string[] = [];
  let runsStarted = 0;
  let runsInFlight = 0;
  const prompt = Array.from({ length: 5 }, (_, i) => `w${i}`).join(' ');
  runTimer = setInterval(() => {
    // A server too slow to take runs shows as failures below rather than as a pile of requests.
    if (runsInFlight >= 16) return;
    runsInFlight += 1;
    const threadId = threadIds[runsStarted % threadIds.length] as string;
    runsStarted += 1;
    callMutation(server.url, 'run.start', { threadId, prompt }, token)
      .catch((error: unknown) => {
        runStartFailures += 1;
        if (runErrors.length < 5) runErrors.push(error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        runsInFlight -= 1;
      });
  }, 1_000 / options.runsPerSecond);

  loopDelay.enable();
  const samples: SoakSample[] = [];
  const t0 = performance.now();
  let previous = { at: t0, cpuSeconds: (await readServerFigures(pid, admin)).cpuSeconds };
  process.stdout.write(`${soakHeader()}\n`);
  const end = t0 + options.durationS * 1_000;
  // A sample every sampleS; one that took longer pushes the next back rather than bunching them up.
  for (
    let due = t0 + options.sampleS * 1_000;
    due <= end + 1;
    due = Math.max(due + options.sampleS * 1_000, previous.at + 1_000)
  ) {
    await pause(Math.max(0, due - performance.now()));
    const [report, figures, roundTrips] = await Promise.all([
      churn.report(),
      readServerFigures(pid, admin),
      healthzRoundTrips(server.url, HEALTHZ_PROBES),
    ]);
    const now = performance.now();
    const intervalS = (now - previous.at) / 1_000;
    const times = roundTrips.times.sort((a, b) => a - b);
    const sample: SoakSample = {
      atS: Math.round((now - t0) / 1_000),
      streamsOpen: report.open,
      streamsConnected: report.connected,
      opensPerSecond: report.opened / intervalS,
      deliveredPerSecond: report.received / intervalS,
      rssMb: figures.rssMb,
      fds: figures.fds,
      cpuPercent: ((figures.cpuSeconds - previous.cpuSeconds) / intervalS) * 100,
      redisConnections: figures.redisConnections,
      redisClients: figures.redisClients,
      healthzP50Ms: times[Math.floor(times.length / 2)] ?? Number.NaN,
      healthzMaxMs: times.at(-1) ?? Number.NaN,
      healthzFailures: roundTrips.failures,
      latencyP50Ms: report.latencyP50Ms,
      latencyP99Ms: report.latencyP99Ms,
      errors: report.errors,
      missed: report.missed,
      duplicates: report.duplicates,
      outOfOrder: report.outOfOrder,
    };
    for (const message of report.errorSamples) log(`stream error: ${message}`);
    samples.push(sample);
    previous = { at: now, cpuSeconds: figures.cpuSeconds };
    process.stdout.write(`${soakRow(sample)}\n`);
  }
  clearInterval(runTimer);
  loopDelay.disable();

  const last = await churn.stop();
  const lastSample = samples.at(-1);
  if (lastSample) {
    // Streams that closed at the stop add their figures to the last row.
    lastSample.errors += last.errors;
    lastSample.missed += last.missed;
    lastSample.duplicates += last.duplicates;
    lastSample.outOfOrder += last.outOfOrder;
  }
  for (const message of last.errorSamples) log(`stream error: ${message}`);
  for (const message of runErrors) log(`run.start failed: ${message}`);
  const after = {
    fds: await settled(async () => (await countOpenFds(pid)) ?? Number.NaN),
    redisConnections: (await readServerFigures(pid, admin)).redisConnections,
  };
  const checks = judgeSoak({
    samples,
    baseline,
    after,
    targetStreams: options.streams,
    runStartFailures,
    limits: options.limits,
  });
  const passed = checks.every((check) => check.passed);
  const orchestratorLoopDelay = {
    p99Ms: loopDelay.percentile(99) / 1e6,
    maxMs: loopDelay.max / 1e6,
  };
  process.stdout.write(`\n${soakVerdict(checks)}\n`);
  process.stdout.write(
    `runs started ${runsStarted}; this process's own event-loop delay p99 ${orchestratorLoopDelay.p99Ms.toFixed(1)} ms, ` +
      `max ${orchestratorLoopDelay.maxMs.toFixed(1)} ms (what it adds to the /healthz figures)\n`,
  );
  await mkdir(resultsDir, { recursive: true });
  const file = `${resultsDir}soak.json`;
  await writeFile(
    file,
    `${JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        passed,
        options,
        machine: machine(),
        baseline,
        after,
        runsStarted,
        runStartFailures,
        orchestratorLoopDelay,
        checks,
        samples,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`${passed ? 'SOAK PASSED' : 'SOAK FAILED'}; figures in ${file}\n`);
  exitCode = passed ? 0 : 1;
} finally {
  clearInterval(runTimer);
  await churn?.exit();
  await Promise.all([server.stop(), worker.stop()]);
  admin.disconnect();
  await redis.stop();
}
process.exit(exitCode);
