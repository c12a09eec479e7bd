import { get } from 'node:http';
import { countOpenFds, readProcessStats } from '@threadcast/testkit';
import type { Redis } from 'ioredis';
import { countRedisConnectionsOf } from '../redis-admin.ts';

export interface ServerFigures {
  rssMb: number;
  fds: number;
  /** CPU seconds the server used since it started. */
  cpuSeconds: number;
  /** Redis connections the server holds (CLIENT LIST entries from its sockets). */
  redisConnections: number;
  /** Every client connection Redis has (the server's, the worker's, this orchestrator's). */
  redisClients: number;
}

/** The server process's figures now, from /proc and Redis's CLIENT LIST. */
export async function readServerFigures(pid: number, admin: Redis): Promise<ServerFigures> {
  const [stats, fds, redisConnections, list] = await Promise.all([
    readProcessStats(pid),
    countOpenFds(pid),
    countRedisConnectionsOf(admin, pid),
    admin.client('LIST') as Promise<string>,
  ]);
  if (!stats || fds === null) throw new Error(`the server (pid ${pid}) is gone`);
  return {
    rssMb: stats.rssBytes / 2 ** 20,
    fds,
    cpuSeconds: stats.cpuSeconds,
    redisConnections,
    redisClients: list.split('\n').filter((line) => line.trim() !== '').length,
  };
}

export interface RoundTrips {
  /** Milliseconds of each answered probe. */
  times: number[];
  /** Probes that got no answer within `timeoutMs` (or failed). */
  failures: number;
}

/**
 * Round trips of `GET /healthz`, each on a new connection, one after another: what a request waits for the
 * server's event loop, plus a loopback round trip (a fraction of a millisecond). This process holds no
 * streams, so its own event loop adds next to nothing (the soak reports its delay too).
 */
export async function healthzRoundTrips(baseUrl: string, count: number, timeoutMs = 10_000): Promise<RoundTrips> {
  const url = new URL('/healthz', baseUrl);
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const answered = await new Promise<boolean>((resolve) => {
      const request = get(url, { agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
    if (answered) times.push(performance.now() - started);
    else failures += 1;
  }
  return { times, failures };
}
