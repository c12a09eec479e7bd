/**
 * PUB/SUB BASELINE — benchmark only, never used by the product.
 *
 * The simplest at-most-once design a user might pick: better-sse (a maintained SSE library) for the streams,
 * ONE shared ioredis subscriber, a better-sse channel per thread, and whatever a publisher `PUBLISH`es passed on
 * as it comes. No history, no resume, no auth. Same URL shape (`GET /trpc/thread.onEvent?input=<JSON {threadId}>`)
 * and wire format as threadcast: `event: connected` once the thread's channel is subscribed, then `data:`/`id:`
 * frames, and `event: ping` from one shared timer.
 *
 * Env: REDIS_URL (required), PORT (default 0), SSE_HEARTBEAT_MS (default 15000).
 * Prints `pubsub baseline listening at http://127.0.0.1:<port>` once it accepts connections.
 */
import { createServer } from 'node:http';
import { THREAD_CHANNEL_PREFIX, threadChannel } from '@threadcast/bus/redis-names';
import { type Channel, createChannel, createSession } from 'better-sse';
import { Redis } from 'ioredis';
import { requestedThread } from './stream-request.ts';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is required');
const heartbeatMs = Number(process.env.SSE_HEARTBEAT_MS ?? 15_000);

const subscriber = new Redis(redisUrl, { connectionName: 'bench-pubsub' });
/** Per thread: its better-sse channel, and the SUBSCRIBE that must complete before a stream counts as connected. */
const threads = new Map<string, { channel: Channel; subscribed: Promise<unknown> }>();

subscriber.on('message', (channelName: string, message: string) => {
  const thread = threads.get(channelName.slice(THREAD_CHANNEL_PREFIX.length));
  if (!thread) return;
  const { id, event } = JSON.parse(message) as { id: string; event: unknown };
  thread.channel.broadcast(event, 'message', { eventId: id });
});

setInterval(() => {
  for (const { channel } of threads.values()) channel.broadcast('', 'ping', { eventId: '' });
}, heartbeatMs).unref();

const server = createServer(async (req, res) => {
  const threadId = requestedThread(req.url);
  if (!threadId) {
    res.writeHead(404).end();
    return;
  }
  const session = await createSession(req, res, { keepAlive: null, retry: null, trustClientEventId: false });
  if (!session.isConnected) return;
  let thread = threads.get(threadId);
  if (!thread) {
    const channel = createChannel();
    // Commands on one connection run in order, so an earlier unsubscribe of this channel cannot overtake it.
    thread = { channel, subscribed: subscriber.subscribe(threadChannel(threadId)) };
    threads.set(threadId, thread);
    channel.on('session-deregistered', () => {
      if (channel.sessionCount > 0) return;
      threads.delete(threadId);
      void subscriber.unsubscribe(threadChannel(threadId));
    });
  }
  thread.channel.register(session);
  await thread.subscribed;
  if (session.isConnected) session.push({}, 'connected', '');
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`pubsub baseline listening at http://127.0.0.1:${port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
