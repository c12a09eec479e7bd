/**
 * Troubleshooting commands for a deployment on Redis (REDIS_URL and the other variables of the server):
 *   pnpm tc tail <threadId> [--from <eventId> | --all] [--count <n>] [--json]
 *   pnpm tc publish <threadId> <type> <content> [--run <runId>]
 *   pnpm tc streams [--server <url>]...
 * Output goes to stdout; notes and problems to stderr; a problem exits with status 1.
 */

import { parseArgs } from 'node:util';
import { type Backend, backendConfigFromEnv, openBackend, redisTargetFromEnv } from '@threadcast/backend';
import { describeTarget, isCluster, openCommandClient, type RedisTarget } from '@threadcast/bus/redis';
import { connectionNames, THREAD_CHANNEL_PATTERN } from '@threadcast/bus/redis-names';
import { type Logger, withTimeout } from '@threadcast/common';
import { threadIdSchema } from '@threadcast/contract';
import { type Env, readEnv } from './env.ts';
import { testEvent } from './tc/publish.ts';
import { serverStreams, table, threadcastConnections } from './tc/streams.ts';
import { tailThread } from './tc/tail.ts';
import { UsageError } from './tc/usage-error.ts';

const USAGE = `usage:
  pnpm tc tail <threadId> [--from <eventId> | --all] [--count <n>] [--json]
      print a thread's events as they are published; --from replays history after an event id first,
      --all the whole retained history
  pnpm tc publish <threadId> <type> <content> [--run <runId>]
      publish a test event through the bus (kept and resumable): a token's content is its text, any
      other type's is JSON
  pnpm tc streams [--server <url>]...
      list the Redis connections of threadcast processes, and each --server's open streams (its /metrics,
      with METRICS_TOKEN if set)`;

const REACH_TIMEOUT_MS = 5_000;
const OWN_CONNECTION = connectionNames.tc;

const say = (line: string) => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

/** Warnings of the engines, in words on stderr (this is a terminal tool, not a service). */
const stderrLogger: Logger = {
  debug() {},
  info() {},
  warn: (obj, msg) => note(`tc: ${msg}${errorText(obj)}`),
  error: (obj, msg) => note(`tc: ${msg}${errorText(obj)}`),
};

function errorText(obj: object): string {
  const err = (obj as { err?: unknown }).err;
  return err instanceof Error ? `: ${err.message}` : '';
}

function redisTargetOf(env: Env): RedisTarget {
  const target = redisTargetFromEnv(env);
  if (!target) {
    throw new Error(
      'REDIS_URL is not set (nor REDIS_CLUSTER_NODES, nor REDIS_SENTINELS): tc looks at the Redis a deployment shares (on the memory engine everything lives inside the server process)',
    );
  }
  return target;
}

/** Fails in words, naming the hosts but never a URL (it may hold a password), when Redis does not answer. */
async function reachable<T>(env: Env, command: Promise<T>): Promise<T> {
  try {
    return await withTimeout(command, REACH_TIMEOUT_MS);
  } catch (error) {
    const where = describeTarget(redisTargetOf(env)).replace(/^redis /, '');
    throw new Error(`could not reach Redis at ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function openTcBackend(env: Env): Backend {
  // Never the seed bridge: a troubleshooting tool must not take over a fleet's bridging.
  return openBackend({
    ...backendConfigFromEnv(env),
    redis: redisTargetOf(env),
    legacyBridge: false,
    logger: stderrLogger,
  });
}

function threadIdOf(raw: string | undefined): string {
  const parsed = threadIdSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      raw === undefined ? 'a threadId is needed' : (parsed.error.issues[0]?.message ?? 'invalid threadId'),
    );
  return parsed.data;
}

async function tail(env: Env, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      all: { type: 'boolean' },
      count: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('tail takes one threadId');
  const threadId = threadIdOf(positionals[0]);
  if (values.from !== undefined && values.all) throw new UsageError('--from and --all exclude each other');
  if (values.count !== undefined && !/^[1-9]\d{0,8}$/.test(values.count))
    throw new UsageError('--count must be a positive number');
  const backend = openTcBackend(env);
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    if (!(await reachable(env, backend.threads.get(threadId))))
      note(`tc: no thread ${threadId} in the store; tailing its events anyway`);
    await tailThread(backend.bus, threadId, {
      start: values.all ? 'all' : values.from !== undefined ? { after: values.from } : 'live',
      count: values.count === undefined ? undefined : Number(values.count),
      json: values.json ?? false,
      signal: stop.signal,
      onReady: (description) => note(`tc: tailing ${threadId} (${description}); Ctrl-C stops`),
      write: say,
    });
  } finally {
    stop.abort();
    await backend.close();
  }
}

async function publish(env: Env, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { run: { type: 'string' } } });
  if (positionals.length !== 3) throw new UsageError('publish takes <threadId> <type> <content>');
  const [rawThreadId, type = '', content = ''] = positionals;
  const event = testEvent(threadIdOf(rawThreadId), type, content, values.run);
  const backend = openTcBackend(env);
  try {
    const stored = await reachable(env, backend.bus.publish(event));
    say(stored.id);
  } finally {
    await backend.close();
  }
}

async function streams(env: Env, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { server: { type: 'string', multiple: true } } });
  if (positionals.length > 0) throw new UsageError('streams takes only --server <url> options');
  for (const url of values.server ?? []) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
      throw new UsageError(`--server ${url} is not an http(s) URL`);
  }
  const client = openCommandClient(redisTargetOf(env), {
    connectionName: OWN_CONNECTION,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  let failed = false;
  try {
    await reachable(env, client.connect());
    // On a cluster, each primary has its own clients and shard channels.
    const nodes = isCluster(client) ? client.nodes('master') : [client];
    const connections = (await Promise.all(nodes.map((node) => threadcastConnections(node, OWN_CONNECTION)))).flat();
    const subcommand = isCluster(client) ? 'SHARDCHANNELS' : 'CHANNELS';
    let channels = 0;
    for (const node of nodes)
      channels += ((await node.call('PUBSUB', subcommand, THREAD_CHANNEL_PATTERN)) as string[]).length;
    say(`Redis connections of threadcast processes (${connections.length}):`);
    const rows = connections.map((c) => [
      c.name,
      c.addr,
      `${c.ageSeconds}s`,
      `${c.idleSeconds}s`,
      String(c.sub),
      String(c.psub),
      c.cmd,
    ]);
    for (const line of table([['NAME', 'ADDR', 'AGE', 'IDLE', 'SUB', 'PSUB', 'LAST COMMAND'], ...rows]))
      say(`  ${line}`);
    say(`threads with live subscribers (PUBSUB ${subcommand} ${THREAD_CHANNEL_PATTERN}): ${channels}`);
    if ((values.server ?? []).length === 0) return;
    say('open streams per server:');
    const rowsOf: string[][] = [['SERVER', 'INSTANCE', 'OPEN', 'DELIVERED', 'SLOW CONSUMERS', 'REDIS']];
    for (const url of values.server ?? []) {
      try {
        const s = await serverStreams(url, env.METRICS_TOKEN);
        rowsOf.push([s.url, s.instanceId, String(s.open), String(s.delivered), String(s.slowConsumers), s.redis]);
      } catch (error) {
        failed = true;
        note(`tc: ${url}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const line of table(rowsOf)) say(`  ${line}`);
  } finally {
    client.disconnect();
  }
  if (failed) process.exitCode = 1;
}

const COMMANDS: Record<string, (env: Env, args: string[]) => Promise<void>> = { tail, publish, streams };

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command)
    throw new UsageError(name === undefined || name === '--help' ? 'a command is needed' : `unknown command "${name}"`);
  await command(readEnv(), args);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs throws TypeErrors with codes for unknown or malformed options: they are usage mistakes too.
  const usage = error instanceof UsageError || (error instanceof TypeError && 'code' in error);
  note(usage ? `tc: ${message}\n${USAGE}` : `tc: ${message}`);
  process.exitCode = 1;
}
