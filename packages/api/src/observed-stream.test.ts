import { SlowConsumerError, type StoredEvent } from '@threadcast/bus';
import { describe, expect, it } from 'vitest';
import { ObservedStream, type StreamCloseReason, type StreamEnd, type StreamMetrics } from './observed-stream.ts';

const stored = (seq: number, ts: number): StoredEvent => ({
  id: `ep:${seq}`,
  position: { epoch: 'ep', seq },
  event: { type: 'token', threadId: 't1', ts, content: `token ${seq}` },
});

function observed(expiresAt = Date.now() + 60_000) {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log = (level: string) => (obj: object, msg: string) => lines.push({ level, obj: { ...obj }, msg });
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const counted = { opened: 0, closed: [] as StreamCloseReason[], delivered: [] as boolean[], dropped: 0 };
  const metrics: StreamMetrics = {
    streamOpened: () => {
      counted.opened += 1;
    },
    streamClosed: (reason) => counted.closed.push(reason),
    delivered: (_event, replayed) => counted.delivered.push(replayed),
    dropped: (count) => {
      counted.dropped += count;
    },
  };
  const fields = { streamId: 'req-1', threadId: 't1', userId: 'alice', resumeFrom: null };
  return { stream: new ObservedStream({ logger, metrics, expiresAt }, fields), lines, counted };
}

const end = (partial: Partial<StreamEnd>): StreamEnd => ({
  timedOut: false,
  clientGone: false,
  failure: undefined,
  ...partial,
});

describe('ObservedStream', () => {
  it('logs one line when it opens and one when it closes, whatever it delivered in between', () => {
    const { stream, lines, counted } = observed();
    const history = stored(1, 1);
    stream.replayed(history);
    stream.delivered(history);
    for (let seq = 2; seq <= 50; seq += 1) stream.delivered(stored(seq, Date.now()));
    stream.dropped(3);
    stream.close(end({ clientGone: true }));
    stream.close(end({ clientGone: true }));
    expect(lines.map((line) => line.msg)).toEqual(['stream opened', 'stream closed']);
    expect(lines[1]?.obj).toMatchObject({
      streamId: 'req-1',
      threadId: 't1',
      userId: 'alice',
      reason: 'client_closed',
      events: 50,
      durationMs: expect.any(Number),
    });
    expect(counted).toEqual({
      opened: 1,
      closed: ['client_closed'],
      delivered: [true, ...Array(49).fill(false)],
      dropped: 3,
    });
  });

  it.each([
    ['slow_consumer', end({ failure: new SlowConsumerError(10), clientGone: true }), 'info'],
    ['token_expired', end({ timedOut: true }), 'info'],
    ['interrupted', end({ failure: new Error('redis is down') }), 'warn'],
    ['ended', end({}), 'info'],
  ] as const)('names the reason %s', (reason, how, level) => {
    const { stream, lines, counted } = observed(Date.now() - 1);
    stream.close(how);
    expect(counted.closed).toEqual([reason]);
    expect(lines[1]).toMatchObject({ level, obj: { reason } });
  });

  it('tells a timer that ran out before the token expired from an expired token', () => {
    const { stream, counted } = observed(Date.now() + 60_000);
    stream.close(end({ timedOut: true }));
    expect(counted.closed).toEqual(['max_duration']);
  });
});
