import { get } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { spliceSockets } from './socket-splice.ts';

export interface Balancer extends AsyncDisposable {
  port: number;
  /** Connections open now through the balancer to `upstream` (a port). */
  openTo(upstream: number): number;
  /** Whether the last probes found `upstream` ready. */
  isReady(upstream: number): boolean;
  close(): Promise<void>;
}

export interface BalancerOptions {
  /** Path answering 200 when an upstream may take new connections (default `/readyz`). */
  readyPath?: string;
  /** Milliseconds between probes of each upstream (default 100). */
  probeMs?: number;
}

/**
 * A loopback TCP balancer in front of HTTP servers, acting as a load balancer with readiness probes does:
 * it probes each upstream's `readyPath` every `probeMs`, and sends each new connection to the first
 * upstream in `upstreams` whose last probe answered 200 (failover order), or to the first one when none
 * did. Connections already open stay with their upstream until either side closes them.
 */
export async function startBalancer(upstreams: readonly number[], options: BalancerOptions = {}): Promise<Balancer> {
  if (upstreams.length === 0) throw new RangeError('a balancer needs at least one upstream');
  const readyPath = options.readyPath ?? '/readyz';
  const ready = new Map(upstreams.map((port) => [port, false]));
  const failures = new Map(upstreams.map((port) => [port, 0]));
  const open = new Map(upstreams.map((port) => [port, new Set<Socket>()]));

  // An answer decides at once; a probe that gets none (refused, timed out) counts only when two in a row do.
  // A busy machine can take seconds to answer: a live upstream must not time out.
  const probe = (port: number) =>
    new Promise<void>((resolve) => {
      const request = get({ host: '127.0.0.1', port, path: readyPath, agent: false, timeout: 5_000 }, (res) => {
        ready.set(port, res.statusCode === 200);
        failures.set(port, 0);
        res.resume();
        res.on('end', resolve).on('error', resolve);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => {
        const failed = (failures.get(port) ?? 0) + 1;
        failures.set(port, failed);
        if (failed >= 2) ready.set(port, false);
        resolve();
      });
    });
  let probing = true;
  const probeLoop = (async () => {
    while (probing) {
      await Promise.all(upstreams.map(probe));
      await new Promise((resolve) => setTimeout(resolve, options.probeMs ?? 100));
    }
  })();
  await Promise.all(upstreams.map(probe));

  const server = createServer((client) => {
    const target = upstreams.find((port) => ready.get(port)) ?? (upstreams[0] as number);
    const upstream = connect(target, '127.0.0.1');
    const sockets = open.get(target) as Set<Socket>;
    sockets.add(client);
    spliceSockets(client, upstream, () => sockets.delete(client));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('balancer has no port');

  const close = async () => {
    probing = false;
    for (const sockets of open.values()) for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    await probeLoop;
  };
  return {
    port: address.port,
    openTo: (upstream) => open.get(upstream)?.size ?? 0,
    isReady: (upstream) => ready.get(upstream) ?? false,
    close,
    [Symbol.asyncDispose]: close,
  };
}
