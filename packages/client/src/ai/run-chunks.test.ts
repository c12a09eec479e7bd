import type { DeltaPart, StreamEvent } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { RunChunkMapper } from './run-chunks.ts';

const threadId = 't1';
const ts = 1;
const token = (content: string, runId = 'r1'): StreamEvent => ({ type: 'token', threadId, ts, runId, content });
const delta = (content: DeltaPart): StreamEvent => ({ type: 'delta', threadId, ts, runId: 'r1', content });

describe('RunChunkMapper', () => {
  it('splits text into blocks around other parts, and maps a resent event to nothing', () => {
    const mapper = new RunChunkMapper('r1');
    const events: [string, StreamEvent][] = [
      ['e:1', token('Hel')],
      ['e:2', token('lo')],
      ['e:3', delta({ type: 'source-url', sourceId: 's', url: 'https://example.com' })],
      ['e:4', token('!')],
      ['e:5', { type: 'done', threadId, ts, runId: 'r1', content: { runId: 'r1', text: 'Hello!', tokenCount: 3 } }],
    ];
    const chunks = [...events.slice(0, 2), ...events].flatMap(([id, event]) => mapper.map(id, event));
    expect(chunks).toEqual([
      { type: 'text-start', id: 'r1-t1' },
      { type: 'text-delta', id: 'r1-t1', delta: 'Hel' },
      { type: 'text-delta', id: 'r1-t1', delta: 'lo' },
      { type: 'text-end', id: 'r1-t1' },
      { type: 'source-url', sourceId: 's', url: 'https://example.com' },
      { type: 'text-start', id: 'r1-t2' },
      { type: 'text-delta', id: 'r1-t2', delta: '!' },
      { type: 'text-end', id: 'r1-t2' },
      { type: 'finish', messageMetadata: { runState: 'done' } },
    ]);
    expect(mapper.ended).toBe(true);
    expect(mapper.map('e:6', token('late'))).toEqual([]);
  });

  it("ignores another run's events and finds the approval by its id", () => {
    const mapper = new RunChunkMapper('r1');
    expect(mapper.map('e:1', token('other', 'r2'))).toEqual([]);
    expect(
      mapper.map('e:2', delta({ type: 'tool-approval-response', toolCallId: 'c1', approvalId: 'a1', approved: false })),
    ).toEqual([{ type: 'tool-approval-response', approvalId: 'a1', approved: false }]);
  });

  it('ends with abort on cancel and with error on a failure or a reset history', () => {
    const cancelled = new RunChunkMapper('r1');
    cancelled.map('e:1', token('a'));
    expect(
      cancelled.map('e:2', {
        type: 'status',
        threadId,
        ts,
        runId: 'r1',
        content: { state: 'cancelled', runId: 'r1', reason: 'cancelled by its owner' },
      }),
    ).toEqual([
      { type: 'text-end', id: 'r1-t1' },
      { type: 'message-metadata', messageMetadata: { runState: 'cancelled', reason: 'cancelled by its owner' } },
      { type: 'abort', reason: 'cancelled by its owner' },
    ]);
    const failed = new RunChunkMapper('r1');
    expect(
      failed.map('e:1', { type: 'error', threadId, ts, runId: 'r1', content: { message: 'model down', runId: 'r1' } }),
    ).toEqual([
      { type: 'message-metadata', messageMetadata: { runState: 'error', reason: 'model down' } },
      { type: 'error', errorText: 'model down' },
    ]);
    const reset = new RunChunkMapper('r1');
    const [chunk] = reset.map('n:0', { type: 'status', threadId, ts, content: { state: 'reset', reason: 'lost' } });
    expect(chunk).toMatchObject({ type: 'error', errorText: expect.stringContaining('reload the thread') });
    expect(reset.ended).toBe(true);
  });
});
