/**
 * NODE FLOOR — benchmark only, never used by the product.
 *
 * The least a Node server can do to fan Redis publications out over SSE: ONE shared ioredis subscriber,
 * a Map threadId → Set of responses, each frame built once per publication and written to every
 * subscriber, and ONE shared heartbeat timer for all streams. No auth, no tRPC, no history. Same URL shape
 * (`GET /trpc/thread.onEvent?input=<JSON {threadId}>`) and wire format as threadcast: `event: connected`
 * first (sent only once the channel is subscribed), then `data:`/`id:` frames and `event: ping`.
 *
 * Env: REDIS_URL (required), PORT (default 0), SSE_HEARTBEAT_MS (default 15000).
 * Prints `node floor listening at http://127.0.0.1:<port>` once it accepts connections.
 */
import { createServer, type ServerResponse } from 'node:http';
import { THREAD_CHANNEL_PREFIX, threadChannel } from '@threadcast/bus/redis-names';
import { Redis } from 'ioredis';
import { requestedThread } from './stream-request.ts';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is required');
const heartbeatMs = Number(process.env.SSE_HEARTBEAT_MS ?? 15_000);

const subscriber = new Redis(redisUrl, { connectionName: 'bench-floor' });
/** Per thread: its open responses, and the SUBSCRIBE that must complete before a stream counts as connected. */
const streams = new Map<string, { listeners: Set<ServerResponse>; subscribed: Promise<unknown> }>();

subscriber.on('message', (channel: string, message: string) => {
  const listeners = streams.get(channel.slice(THREAD_CHANNEL_PREFIX.length))?.listeners;
  if (!listeners) return;
  const { id, event } = JSON.parse(message) as { id: string; event: unknown };
  const frame = `data: ${JSON.stringify(event)}\nid: ${id}\n\n`;
  for (const res of listeners) res.write(frame);
});

setInterval(() => {
  for (const { listeners } of streams.values()) for (const res of listeners) res.write('event: ping\ndata: \n\n');
}, heartbeatMs).unref();

const server = createServer(async (req, res) => {
  const threadId = requestedThread(req.url);
  if (!threadId) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let thread = streams.get(threadId);
  if (!thread) {
    // Commands on one connection run in order, so an earlier unsubscribe of this channel cannot overtake it.
    thread = { listeners: new Set(), subscribed: subscriber.subscribe(threadChannel(threadId)) };
    streams.set(threadId, thread);
  }
  const { listeners, subscribed } = thread;
  listeners.add(res);
  req.on('close', () => {
    if (!listeners.delete(res) || listeners.size > 0) return;
    streams.delete(threadId);
    void subscriber.unsubscribe(threadChannel(threadId));
  });
  await subscribed;
  res.write('event: connected\ndata: {}\n\n');
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`node floor listening at http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
