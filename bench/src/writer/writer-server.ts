/**
 * The SSE writer serving two subscriptions that follow the same in-process source: one pushed (`pushStream`), one
 * an async generator as tRPC documents subscriptions (`on(emitter, …, { signal })`, yielding `tracked(id, data)`);
 * and, under `/stock/`, the generator served by tRPC's own SSE pipeline, for comparison. Run by `pnpm bench:writer`
 * as a child process, so its CPU is the writer's and the procedures' alone.
 *
 * Prints `writer bench listening at <url> token <token>`. `GET /cpu`: the process's CPU time in µs.
 * `GET /listeners`: subscribers of the source. `POST /publish?count=N`: N ticks, one per turn of the event loop.
 */
import { EventEmitter, on } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Context,
  createConfiguredRouter,
  createContextFactory,
  pushStream,
  SseWriter,
  streamProcedure,
  TokenService,
} from '@threadcast/api';
import { openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { initTRPC, tracked } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';

interface Tick {
  n: number;
  ts: number;
}

const ticks = new EventEmitter();
ticks.setMaxListeners(0);

const procedures = {
  bench: {
    pushed: streamProcedure.subscription(() =>
      pushStream<Tick>((sink) => {
        const listener = (tick: Tick) => sink.deliver({ id: String(tick.n), event: tick });
        ticks.on('tick', listener);
        return {
          resume() {},
          stop() {
            ticks.off('tick', listener);
            sink.end();
          },
        };
      }),
    ),
    generated: streamProcedure.subscription(async function* ({ signal }) {
      for await (const [tick] of on(ticks, 'tick', { signal }) as AsyncIterableIterator<[Tick]>) {
        yield tracked(String(tick.n), tick);
      }
    }),
  },
};
const router = createConfiguredRouter(procedures, { heartbeatMs: 60_000 });
const stockRouter = initTRPC
  .context<Context>()
  .create({ sse: { ping: { enabled: true, intervalMs: 60_000 } } })
  .router(procedures);

const tokens = new TokenService({ secret: 'writer-bench-secret-long-enough-for-hs256' });
const backend = openBackend({});
const createContext = createContextFactory({
  ...backend,
  tokens,
  devLoginEnabled: false,
  logger: silentLogger,
  limits: { streamsPerUser: 100_000, streamsPerServer: 100_000 },
});
const writer = new SseWriter({ router, basePath: '/trpc/', createContext, logger: silentLogger });
const stock = createHTTPHandler({ router: stockRouter, basePath: '/stock/', createContext });

let next = 0;
function publish(count: number, done: () => void): void {
  if (count === 0) {
    done();
    return;
  }
  next += 1;
  ticks.emit('tick', { n: next, ts: Date.now() } satisfies Tick);
  setImmediate(publish, count - 1, done);
}

const server = createServer((req, res) => {
  if (writer.handles(req)) {
    void writer.serve(req, res);
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith('/stock/')) {
    stock(req, res);
  } else if (url.pathname === '/cpu') {
    const { user, system } = process.cpuUsage();
    res.end(String(user + system));
  } else if (url.pathname === '/listeners') {
    res.end(String(ticks.listenerCount('tick')));
  } else if (url.pathname === '/publish' && req.method === 'POST') {
    publish(Number(url.searchParams.get('count') ?? 0), () => res.end('published'));
  } else {
    res.writeHead(404).end();
  }
});
const { token } = await tokens.issue({ id: 'bench', name: 'bench' });
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`writer bench listening at http://127.0.0.1:${port} token ${token}\n`);
});
