import { SlowConsumerError, type StoredEvent } from '@threadcast/bus';
import { describe, expect, it } from 'vitest';
import { ObservedStream, type ProcedureStreamMetrics } from './observed-stream.ts';
import { closeReasonOf, type StreamCloseReason, StreamEnding } from './stream-ending.ts';

const stored = (seq: number, ts: number): StoredEvent => ({
  id: `ep:${seq}`,
  position: { epoch: 'ep', seq },
  event: { type: 'token', threadId: 't1', ts, content: `token ${seq}` },
});

function observed() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log = (level: string) => (obj: object, msg: string) => lines.push({ level, obj: { ...obj }, msg });
  const logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  const counted = { opened: 0, closed: [] as StreamCloseReason[], delivered: [] as boolean[], dropped: 0 };
  const metrics: ProcedureStreamMetrics = {
    opened: () => {
      counted.opened += 1;
    },
    closed: (reason) => counted.closed.push(reason),
    delivered: (_event, replayed) => counted.delivered.push(replayed),
    dropped: (count) => {
      counted.dropped += count;
    },
  };
  const fields = { streamId: 'req-1', procedure: 'thread.onEvent', userId: 'alice' };
  return { stream: new ObservedStream(logger, metrics, fields), lines, counted };
}

describe('ObservedStream', () => {
  it('logs one line when it opens and one when it closes, whatever it delivered in between', () => {
    const { stream, lines, counted } = observed();
    stream.describe({ threadId: 't1', resumeFrom: null });
    stream.open();
    stream.open();
    const history = stored(1, 1);
    stream.replayed(history);
    stream.delivered(history);
    for (let seq = 2; seq <= 50; seq += 1) stream.delivered(stored(seq, Date.now()));
    stream.dropped(3);
    stream.close('client_closed');
    stream.close('client_closed');
    expect(lines.map((line) => line.msg)).toEqual(['stream opened', 'stream closed']);
    expect(lines[0]?.obj).toEqual({
      streamId: 'req-1',
      procedure: 'thread.onEvent',
      userId: 'alice',
      threadId: 't1',
      resumeFrom: null,
    });
    expect(lines[1]?.obj).toMatchObject({
      streamId: 'req-1',
      procedure: 'thread.onEvent',
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

  it('logs and counts nothing for a stream that never opened (its procedure refused it)', () => {
    const { stream, lines, counted } = observed();
    stream.close('ended');
    expect(lines).toEqual([]);
    expect(counted.closed).toEqual([]);
  });

  it.each([
    ['slow_consumer', new SlowConsumerError(10), 'info'],
    ['token_expired', StreamEnding.tokenExpired(), 'info'],
    ['max_duration', StreamEnding.maxDuration(), 'info'],
    ['client_closed', StreamEnding.clientGone, 'info'],
    ['interrupted', new Error('redis is down'), 'warn'],
    ['ended', StreamEnding.unavailable('draining'), 'info'],
    ['ended', undefined, 'info'],
  ] as const)('names the reason %s', (reason, why, level) => {
    const { stream, lines, counted } = observed();
    stream.open();
    stream.close(closeReasonOf(why), why);
    expect(counted.closed).toEqual([reason]);
    expect(lines[1]).toMatchObject({ level, obj: { reason } });
  });
});
