import { backoffDelay } from '@threadcast/common';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { resilientRedisOptions } from './connection-options.ts';

/** A Redis node, as `host:port`. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** Which Redis a deployment shares: one server, a cluster named by its seed nodes, or a primary set under Sentinel. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: RedisNodeAddress[]; username?: string; password?: string; tls?: boolean }
  | {
      kind: 'sentinel';
      sentinels: RedisNodeAddress[];
      /** The primary set's name, as the sentinels know it (`sentinel monitor <name> ...`). */
      name: string;
      username?: string;
      password?: string;
      sentinelPassword?: string;
    };

/** ioredis's two clients: what the stores and the bus send commands through. */
export type RedisClient = Redis | Cluster;

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * `host:port` or `redis://[user:password@]host:port` entries, comma-separated, as the cluster and Sentinel
 * variables take them. Throws a RangeError naming the entry that is not one.
 */
export function parseNodeList(
  raw: string,
  variable: string,
): { nodes: RedisNodeAddress[]; username?: string; password?: string; tls: boolean } {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new RangeError(`${variable} names no node (expected host:port[,host:port...])`);
  let username: string | undefined;
  let password: string | undefined;
  let tls = false;
  const nodes = entries.map((entry) => {
    const url = /^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RangeError(`${variable}: "${entry}" is not host:port`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
      throw new RangeError(`${variable}: "${parsed.protocol}" is not redis: or rediss:`);
    const port = Number(parsed.port);
    if (!parsed.hostname || !parsed.port || !Number.isInteger(port) || port < 1 || port > 65_535)
      throw new RangeError(`${variable}: "${redacted(parsed)}" needs a host and a port (host:port)`);
    if (parsed.protocol === 'rediss:') tls = true;
    if (parsed.username) username = decodeURIComponent(parsed.username);
    if (parsed.password) password = decodeURIComponent(parsed.password);
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
  });
  return { nodes, ...(username ? { username } : {}), ...(password ? { password } : {}), tls };
}

function redacted(url: URL): string {
  return `${url.hostname}${url.port ? `:${url.port}` : ''}`;
}

/** Where a target is, for messages and logs (never a password). */
export function describeTarget(target: RedisTarget): string {
  const list = (nodes: RedisNodeAddress[]) => nodes.map((node) => `${node.host}:${node.port}`).join(',');
  switch (target.kind) {
    case 'single':
      return URL.canParse(target.url) ? `redis ${new URL(target.url).host}` : 'redis';
    case 'cluster':
      return `redis cluster ${list(target.nodes)}`;
    case 'sentinel':
      return `redis primary "${target.name}" under sentinels ${list(target.sentinels)}`;
  }
}

/**
 * A command client for `target`. A cluster client keeps one connection per primary (reads go to primaries
 * too: a replica may lag what a stream has already shown) and waits out a failover instead of failing
 * every command in it: ioredis's defaults give up after about 1.4 s, and a failover takes 3–5 s.
 */
export function openCommandClient(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  switch (target.kind) {
    case 'single':
      return new Redis(target.url, resilientRedisOptions(options));
    case 'sentinel':
      return new Redis(sentinelOptions(target, options));
    case 'cluster':
      return new Cluster(target.nodes, clusterOptions(target, options));
  }
}

/** Options of a connection to the primary of a Sentinel set: found through the sentinels, followed on failover. */
export function sentinelOptions(
  target: Extract<RedisTarget, { kind: 'sentinel' }>,
  options: RedisOptions = {},
): RedisOptions {
  return resilientRedisOptions({
    sentinels: target.sentinels,
    name: target.name,
    role: 'master',
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    // Ask the sentinels again every 100 ms to 2 s while none answers, for ever.
    sentinelRetryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
    // Reconnect as soon as a sentinel announces a new primary, rather than when the old socket times out.
    failoverDetector: true,
    ...options,
  });
}

/**
 * What every connection to a cluster node needs: credentials and TLS. No retry policy of its own: a node's
 * connection that drops ends, and the cluster client (or the sharded hub) finds the slot's new owner.
 */
export function clusterNodeOptions(
  target: Extract<RedisTarget, { kind: 'cluster' }>,
  options: RedisOptions = {},
): RedisOptions {
  return {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
    ...options,
  };
}

function clusterOptions(target: Extract<RedisTarget, { kind: 'cluster' }>, options: RedisOptions): ClusterOptions {
  return {
    redisOptions: clusterNodeOptions(target, options),
    scaleReads: 'master',
    // A command waits for the cluster to settle: retried every 300 ms, for up to about 15 s of redirections
    // and failovers, before it fails.
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    maxRedirections: 50,
    clusterRetryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2_000),
    slotsRefreshTimeout: 2_000,
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
  };
}

/**
 * Closes a client politely (QUIT, so replies in flight still arrive), but not for longer than `graceMs`: a client
 * whose Redis is unreachable (a cluster that is down) would otherwise hold its owner's shutdown for ever.
 */
export async function closeClient(client: RedisClient, graceMs = 2_000): Promise<void> {
  closing.add(client);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  try {
    await Promise.race([
      client.quit().then(
        () => undefined,
        () => undefined,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** Clients their owner is closing: `keepConnected` leaves them ended. */
const closing = new WeakSet<RedisClient>();

/**
 * Connects `client` again whenever it ends without its owner closing it. ioredis ends a Sentinel-managed connection
 * when a failover outlasts its attempts (seen on a loaded machine: "All sentinels are unreachable", then `end`), and
 * nothing would bring it back: the process would go on unready, its streams silent.
 */
export function keepConnected(client: Redis): void {
  let attempt = 0;
  client.on('ready', () => {
    attempt = 0;
  });
  client.on('end', () => {
    if (closing.has(client)) return;
    const delayMs = backoffDelay(attempt, 100, 2_000);
    attempt += 1;
    setTimeout(() => {
      if (closing.has(client) || client.status !== 'end') return;
      client.connect().catch(() => {
        // Failing ends it again, which tries again.
      });
    }, delayMs).unref();
  });
}
