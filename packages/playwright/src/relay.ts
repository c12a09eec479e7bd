import { connect, createServer, type Socket } from 'node:net';

/** One connection through the relay: the browser's side, the server's side, and the last request sent on it. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** The request target of the latest HTTP/1.1 request seen on the connection (`/trpc/thread.onEvent?…`). */
  target: string;
}

export interface Relay extends AsyncDisposable {
  /** The relay's origin, `http://127.0.0.1:<port>`: what the browser talks to. */
  readonly url: string;
  readonly port: number;
  /** Connections open through the relay now. */
  readonly open: number;
  /** Open connections whose latest request was for a path starting with `path` (default: the thread stream). */
  streams(path?: string): number;
  /** Cuts every open connection at once, as a dropped network does; new ones go through. Returns how many it cut. */
  cut(): number;
  /** Cuts every open connection and refuses new ones (they are reset on arrival) until `up()`. */
  down(): number;
  /** Lets connections through again after `down()`. */
  up(): void;
  /** `down()`, then `up()` after `ms`: resolves once connections go through again. */
  holdDown(ms: number): Promise<void>;
  /** Delays every chunk, both ways, by `ms` (0: no delay). Order is kept. */
  slow(ms: number): void;
  /**
   * Cuts one connection: the newest whose latest request was for a path starting with `path` (default the thread
   * stream, `/trpc/thread.onEvent`), leaving the others open. Waits up to `timeoutMs` for one to be open.
   */
  dropStream(path?: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const THREAD_STREAM_PATH = '/trpc/thread.onEvent';

/** A request line at the start of a chunk the browser sent: a new request on this connection. */
const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r\n/;

/**
 * A TCP relay on loopback between the browser and a server (`target`, `host:port`). Chromium's offline switch does
 * not close an EventSource that is already open, so a test that wants the connection gone cuts it here. HTTP/1.1
 * request lines are read as they pass, only to know which connection carries which stream.
 */
export async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const links = new Set<Link>();
  /** Woken each time a connection starts a request (`dropStream` waits for one). */
  const requestWaiters = new Set<() => void>();
  let refusing = false;
  let delayMs = 0;

  // Each direction keeps its own clock, so a chunk never overtakes the one before it when the delay changes.
  const forward = (from: Socket, to: Socket, onChunk?: (chunk: Buffer) => void) => {
    let due = 0;
    from.on('data', (chunk: Buffer) => {
      onChunk?.(chunk);
      if (delayMs === 0 && due <= Date.now()) {
        to.write(chunk);
        return;
      }
      due = Math.max(due, Date.now() + delayMs);
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, due - Date.now());
    });
  };

  const server = createServer((client) => {
    if (refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const link: Link = { client, upstream, target: '' };
    links.add(link);
    const teardown = () => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    forward(client, upstream, (chunk) => {
      const request = REQUEST_LINE.exec(chunk.subarray(0, 2048).toString('latin1'));
      if (request) {
        link.target = request[1] as string;
        for (const wake of requestWaiters) wake();
      }
    });
    forward(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the relay has no port');

  const cutLinks = (which: Iterable<Link>) => {
    let count = 0;
    for (const link of [...which]) {
      // A reset, not a polite close: the browser sees the network fail, as when a cable is pulled.
      link.client.resetAndDestroy();
      link.upstream.destroy();
      links.delete(link);
      count += 1;
    }
    return count;
  };
  const matching = (path: string) => [...links].filter((link) => link.target.startsWith(path));
  const relay: Relay = {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    get open() {
      return links.size;
    },
    streams: (path = THREAD_STREAM_PATH) => matching(path).length,
    cut: () => cutLinks(links),
    down() {
      refusing = true;
      return cutLinks(links);
    },
    up() {
      refusing = false;
    },
    async holdDown(ms) {
      relay.down();
      await new Promise((resolve) => setTimeout(resolve, ms));
      relay.up();
    },
    slow(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`slow(${ms}): a delay is a number of ms, 0 or more`);
      delayMs = ms;
    },
    dropStream(path = THREAD_STREAM_PATH, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const attempt = () => {
          const newest = matching(path).at(-1);
          if (!newest) return;
          finish();
          cutLinks([newest]);
          resolve();
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no open connection to ${path} to drop within ${timeoutMs} ms`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          requestWaiters.delete(attempt);
        };
        requestWaiters.add(attempt);
        attempt();
      });
    },
    async close() {
      refusing = true;
      cutLinks(links);
      await new Promise((resolve) => server.close(resolve));
    },
    [Symbol.asyncDispose]: () => relay.close(),
  };
  return relay;
}
