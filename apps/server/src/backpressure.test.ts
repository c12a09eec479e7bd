import { describe, expect, it } from 'vitest';
import { startTestServer } from './test-server.ts';
import { openRawStream } from './testing/raw-sse.ts';

/**
 * A client that stops reading long enough to fill its socket, then reads again before its queue overflows:
 * the stream waits for the socket to drain and goes on, and the client gets every event exactly once, in order.
 */
describe('a client that falls behind and catches up', () => {
  it('gets every event once, in order, after its socket was full', async () => {
    await using server = await startTestServer();
    const { token } = await server.tokens.issue({ id: 'reader', name: 'Reader' });
    const { threadId } = await server.backend.threads.create({ ownerId: 'reader', title: 'backpressure' });
    const response = await openRawStream(server.url, threadId, token);
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (data: string) => {
      text += data;
    });
    await expect.poll(() => server.backend.bus.stats().subscribers).toBe(1);
    await server.backend.bus.publish({ type: 'token', threadId, ts: Date.now(), content: 'first' });
    await expect.poll(() => text.includes('"first"')).toBe(true);
    response.pause();

    // 24 MB while it reads nothing: more than the kernel's socket buffers on both sides can hold, so the
    // server's socket fills up and the rest waits in the subscription (well under its 10,000 events).
    const total = 400;
    const chunk = 'x'.repeat(60 * 1024);
    for (let i = 0; i < total; i += 1) {
      await server.backend.bus.publish({ type: 'token', threadId, ts: Date.now(), content: `${i} ${chunk}` });
    }
    response.resume();
    const ids = () => text.split('\n').filter((line) => line.startsWith('id: '));
    await expect.poll(() => ids().length, { timeout: 20_000 }).toBe(total + 1);
    response.destroy();

    const seqs = ids().map((line) => Number(line.slice(line.lastIndexOf(':') + 1)));
    expect(seqs).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    const contents = [...text.matchAll(/"content":"(\d+) /g)].map((match) => Number(match[1]));
    expect(contents).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(text).not.toContain('serialized-error');
  }, 30_000);
});
