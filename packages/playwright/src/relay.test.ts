import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay } from './relay.ts';

/** An echo server: what a connection sends comes back. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.pipe(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no port');
  return { server, port: address.port };
}

/** A connection through the relay; a reset is what these tests provoke, so errors only end it. */
async function connectTo(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  return socket;
}

/** Resolves once the connection is closed (a reset included). */
const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const echo = await echoServer();
  const relay = await startRelay({ host: '127.0.0.1', port: echo.port });
  cleanups.push(
    () => new Promise((done) => echo.server.close(done)),
    () => relay.close(),
  );
  return relay;
}

describe('startRelay', () => {
  it('passes bytes both ways, and cut() resets every open connection', async () => {
    const relay = await setup();
    const socket = await connectTo(relay.port);
    socket.write('ping');
    const [echoed] = await once(socket, 'data');
    expect(String(echoed)).toBe('ping');
    expect(relay.open).toBe(1);
    const ended = closed(socket);
    expect(relay.cut()).toBe(1);
    await ended;
    expect(relay.open).toBe(0);
  });

  it('refuses connections while down, and lets them through after up()', async () => {
    const relay = await setup();
    relay.down();
    const refused = connect(relay.port, '127.0.0.1');
    refused.on('error', () => {});
    await closed(refused);
    relay.up();
    const socket = await connectTo(relay.port);
    socket.write('back');
    expect(String((await once(socket, 'data'))[0])).toBe('back');
    socket.destroy();
  });

  it('drops only the newest connection carrying a stream', async () => {
    const relay = await setup();
    const other = await connectTo(relay.port);
    other.write('GET /trpc/thread.get?input=1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(other, 'data');
    const stream = await connectTo(relay.port);
    stream.write('GET /trpc/thread.onEvent?input=1 HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(stream, 'data');
    expect(relay.streams()).toBe(1);
    const ended = closed(stream);
    await relay.dropStream();
    await ended;
    expect(relay.open).toBe(1);
    expect(other.destroyed).toBe(false);
    other.destroy();
    await expect(relay.dropStream(undefined, 200)).rejects.toThrow(/no open connection to \/trpc\/thread\.onEvent/);
  });

  it('delays chunks when slowed, in order, and refuses a negative delay', async () => {
    const relay = await setup();
    relay.slow(150);
    const socket = await connectTo(relay.port);
    const started = Date.now();
    socket.write('a');
    socket.write('b');
    let received = '';
    while (received.length < 2) received += String((await once(socket, 'data'))[0]);
    expect(received).toBe('ab');
    // Both ways: at least two delays of 150 ms (a floor, not a timing assertion on speed).
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(() => relay.slow(-1)).toThrow(RangeError);
    socket.destroy();
  });
});
