/**
 * `pnpm bench:publisher [--rounds=3] [--tokens=20000] [--runs=100]`: how fast one process publishes runs' tokens
 * through `RunPublisher` and the Redis bus, as a worker does when its agents yield tokens faster than Redis takes
 * them: one run of `--tokens` tokens, then `--runs` runs sharing as many tokens, each run on its own thread, round
 * after round. Its own `redis-server` on a free port, no subscribers: the publishing side alone. Prints tokens per
 * second and this process's CPU per token for each round.
 */
import { parseArgs } from 'node:util';
import { RedisEventBus } from '@threadcast/bus/redis';
import { silentLogger } from '@threadcast/common';
import { RunPublisher } from '@threadcast/runner';
import { startRedisServer } from '@threadcast/testkit';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tokens: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '100' },
  },
});
const rounds = Number(args.rounds);
const tokens = Number(args.tokens);
const runs = Number(args.runs);
for (const [name, value] of Object.entries({ rounds, tokens, runs })) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number >= 1`);
}

async function publishRun(bus: RedisEventBus, threadId: string, count: number): Promise<void> {
  const publisher = new RunPublisher({ bus, logger: silentLogger, producer: `run-${threadId}` });
  for (let i = 0; i < count; i += 1) {
    await publisher.waitForRoom();
    publisher.push({ type: 'token', threadId, runId: `run-${threadId}`, content: 'tok ', ts: Date.now() });
  }
  await publisher.flush();
}

async function measure(label: string, publish: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await publish();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const perToken = (used.user + used.system) / tokens;
  process.stdout.write(
    `${label.padEnd(24)} ${Math.round(tokens / seconds).toLocaleString('en-US')} tokens/s, ${perToken.toFixed(1)} µs CPU per token\n`,
  );
}

const redis = await startRedisServer();
const bus = new RedisEventBus({ url: redis.url });
try {
  const perRun = Math.ceil(tokens / runs);
  for (let round = 1; round <= rounds; round += 1) {
    process.stdout.write(`round ${round}\n`);
    await measure(`  1 run × ${tokens}`, () => publishRun(bus, `one-${round}`, tokens));
    await measure(`  ${runs} runs × ${perRun}`, () =>
      Promise.all(Array.from({ length: runs }, (_, i) => publishRun(bus, `many-${round}-${i}`, perRun))),
    );
  }
} finally {
  await bus.close();
  await redis.stop();
}
