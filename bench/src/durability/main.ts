/**
 * `pnpm --filter @threadcast/bench durability [--events=3000]`: what failover safety costs a publish. On a primary with
 * one replica under Sentinel (started here, on free loopback ports), one producer publishes events one after the other
 * in three settings, in the same run: as on one Redis (no fence), with the failover fence (the default under Sentinel
 * and on a cluster), and with the fence plus `REDIS_PUBLISH_REPLICAS=1` (WAIT for a replica). It prints, for each,
 * the publish latency (p50, p99, in µs, as the producer sees it) and Redis's CPU per publish (the publish script's
 * `usec_per_call` from `INFO commandstats`), with ratios to the first.
 */
import { parseArgs } from 'node:util';
import { RedisEventBus, type RedisTarget } from '@threadcast/bus/redis';
import { startRedisSentinel } from '@threadcast/testkit';
import { Redis } from 'ioredis';

const { values } = parseArgs({ options: { events: { type: 'string', default: '3000' } } });
const events = Number(values.events);
if (!Number.isInteger(events) || events < 100) throw new Error('--events must be a whole number >= 100');

interface Setting {
  name: string;
  fence: boolean;
  publishReplicas: number;
}

const settings: Setting[] = [
  { name: 'one Redis (no fence)', fence: false, publishReplicas: 0 },
  { name: 'fence (Sentinel, cluster default)', fence: true, publishReplicas: 0 },
  { name: 'fence + WAIT 1 replica', fence: true, publishReplicas: 1 },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The publish script's Redis CPU so far: calls and µs of EVALSHA (and EVAL, its first load). */
async function scriptCpu(admin: Redis): Promise<{ calls: number; usec: number }> {
  const stats = (await admin.info('commandstats')).split('\n');
  let calls = 0;
  let usec = 0;
  for (const line of stats) {
    const match = /^cmdstat_(evalsha|eval):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (!match) continue;
    calls += Number(match[2]);
    usec += Number(match[3]);
  }
  return { calls, usec };
}

const sentinel = await startRedisSentinel();
try {
  const primary = await sentinel.primary();
  const admin = new Redis(primary.port, primary.host);
  const target: RedisTarget = {
    kind: 'sentinel',
    name: sentinel.name,
    sentinels: sentinel.sentinels.map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })),
  };
  process.stdout.write(`durability: ${events} sequential publishes per setting, primary + 1 replica, loopback\n\n`);
  const rows: { name: string; p50: number; p99: number; cpu: number }[] = [];
  for (const setting of settings) {
    const bus = new RedisEventBus({ url: target, fence: setting.fence, publishReplicas: setting.publishReplicas });
    const threadId = `durability${Date.now().toString(36)}`;
    const publish = (i: number) =>
      bus.publish({ type: 'token', threadId, runId: 'r', ts: Date.now(), content: `token ${i} ` });
    for (let i = 0; i < 200; i += 1) await publish(i); // warm-up: script loaded, connections up
    await admin.config('RESETSTAT');
    const before = await scriptCpu(admin);
    const latencies: number[] = [];
    for (let i = 0; i < events; i += 1) {
      const started = process.hrtime.bigint();
      await publish(i);
      latencies.push(Number(process.hrtime.bigint() - started) / 1_000);
    }
    const after = await scriptCpu(admin);
    await bus.close();
    latencies.sort((a, b) => a - b);
    rows.push({
      name: setting.name,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      cpu: (after.usec - before.usec) / Math.max(1, after.calls - before.calls),
    });
  }
  admin.disconnect();
  const base = rows[0] as (typeof rows)[0];
  const pad = (text: string, width: number) => text.padEnd(width);
  process.stdout.write(`${pad('setting', 36)}${pad('p50 µs', 16)}${pad('p99 µs', 16)}Redis CPU µs/publish\n`);
  for (const row of rows) {
    const ratio = (value: number, of: number) => `${value.toFixed(0)} (${(value / of).toFixed(2)}×)`;
    process.stdout.write(
      `${pad(row.name, 36)}${pad(ratio(row.p50, base.p50), 16)}${pad(ratio(row.p99, base.p99), 16)}${row.cpu.toFixed(1)} (${(row.cpu / base.cpu).toFixed(2)}×)\n`,
    );
  }
} finally {
  await sentinel.stop();
}
