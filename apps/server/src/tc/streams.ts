import { CONNECTION_NAME_PREFIX } from '@threadcast/bus/redis-names';
import { parsePrometheusText, sampleValue } from '@threadcast/observability';
import type { Redis } from 'ioredis';

/** A Redis client connection as `CLIENT LIST` describes it. */
export interface RedisClient {
  name: string;
  addr: string;
  ageSeconds: number;
  idleSeconds: number;
  /** Channels and patterns it is subscribed to. */
  sub: number;
  psub: number;
  cmd: string;
}

/** The connections threadcast processes hold (named `threadcast-*`, `CONNECTION_NAME_PREFIX`), but `except` (this tool's own). */
export async function threadcastConnections(redis: Redis, except: string): Promise<RedisClient[]> {
  const list = (await redis.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .map((line) =>
      Object.fromEntries(
        line
          .trim()
          .split(' ')
          .map((field) => field.split('=', 2) as [string, string]),
      ),
    )
    .filter((fields) => fields.name?.startsWith(CONNECTION_NAME_PREFIX) && fields.name !== except)
    .map((fields) => ({
      name: fields.name ?? '',
      addr: fields.addr ?? '',
      ageSeconds: Number(fields.age ?? 0),
      idleSeconds: Number(fields.idle ?? 0),
      sub: Number(fields.sub ?? 0),
      psub: Number(fields.psub ?? 0),
      cmd: fields.cmd ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.addr.localeCompare(b.addr));
}

/** What one server's `/metrics` says about its streams. */
export interface ServerStreams {
  url: string;
  instanceId: string;
  open: number;
  delivered: number;
  slowConsumers: number;
  redis: string;
}

export async function serverStreams(url: string, token: string | undefined): Promise<ServerStreams> {
  const base = url.replace(/\/+$/, '');
  const response = await fetch(`${base}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status === 401) throw new Error("refused the scrape: set METRICS_TOKEN to the server's");
  if (response.status !== 200) throw new Error(`answered ${response.status} to GET /metrics`);
  const samples = parsePrometheusText(await response.text());
  const open = sampleValue(samples, 'threadcast_streams_open');
  if (open === null) throw new Error('its /metrics has no threadcast_streams_open: is it a threadcast server?');
  const redis = samples
    .filter((sample) => sample.name === 'threadcast_redis_connected')
    .map((sample) => `${sample.labels.role}=${sample.value === 1 ? 'up' : 'DOWN'}`)
    .join(' ');
  return {
    url: base,
    instanceId: samples.find((sample) => sample.name === 'threadcast_streams_open')?.labels.instance_id ?? '?',
    open,
    delivered: sampleValue(samples, 'threadcast_events_delivered_total') ?? 0,
    slowConsumers: sampleValue(samples, 'threadcast_slow_consumer_disconnects_total') ?? 0,
    redis: redis || 'memory engine',
  };
}

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
