import type { StreamEvent } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { applyStreamEvent, initialStreamState, type StreamState } from './stream-state.ts';

const threadId = 't1';
const ts = 1;
const run = (runId: string, tokens: string[]): [string, StreamEvent][] => {
  const events: StreamEvent[] = [
    { type: 'status', threadId, ts, runId, content: { state: 'queued', runId } },
    { type: 'status', threadId, ts, runId, content: { state: 'running', runId } },
    ...tokens.map((content): StreamEvent => ({ type: 'token', threadId, ts, runId, content })),
    { type: 'done', threadId, ts, runId, content: { runId, text: tokens.join(''), tokenCount: tokens.length } },
  ];
  return events.map((event, i) => [`ep:${i + 1}`, event]);
};
const applyAll = (events: [string, StreamEvent][], state: StreamState = initialStreamState) =>
  events.reduce((acc, [id, event]) => applyStreamEvent(acc, id, event), state);

describe('applyStreamEvent', () => {
  it('grows the reply token by token and completes on done', () => {
    const events = run('r1', ['Hé', 'llo ', '🚀']);
    const partial = applyAll(events.slice(0, 3));
    expect(partial).toMatchObject({ runId: 'r1', runState: 'running', text: 'Hé', tokenCount: 1, lastEventId: 'ep:3' });
    expect(applyAll(events)).toMatchObject({ runState: 'done', text: 'Héllo 🚀', tokenCount: 3, complete: true });
  });

  it('ignores an event it has already applied, so a replay never doubles a token', () => {
    const events = run('r1', ['a', 'b', 'c']);
    const once = applyAll(events);
    expect(applyAll([...events.slice(0, 4), ...events], initialStreamState)).toEqual(once);
    expect(applyStreamEvent(once, 'ep:3', events[2]?.[1] as StreamEvent)).toBe(once);
  });

  it('orders live-only events between kept ones and ignores their repeats', () => {
    const kept = applyAll(run('r1', ['a']).slice(0, 3));
    const live = applyStreamEvent(kept, 'ep:3.1', {
      type: 'delta',
      threadId,
      ts,
      runId: 'r1',
      content: { type: 'start-step' },
    });
    expect(live.lastEventId).toBe('ep:3.1');
    expect(applyStreamEvent(live, 'ep:3.1', { type: 'token', threadId, ts, runId: 'r1', content: 'x' })).toBe(live);
    expect(applyStreamEvent(live, 'ep:4', { type: 'token', threadId, ts, runId: 'r1', content: 'b' }).text).toBe('ab');
  });

  it('reports an incomplete reply when tokens were missed', () => {
    const events = run('r1', ['a', 'b', 'c']);
    const missing = events.filter(([id]) => id !== 'ep:4');
    expect(applyAll(missing)).toMatchObject({ runState: 'done', text: 'abc', complete: false });
  });

  it('starts over for a new run and records errors', () => {
    const first = applyAll(run('r1', ['old']));
    const next = applyStreamEvent(first, 'ep:9', {
      type: 'status',
      threadId,
      ts,
      runId: 'r2',
      content: { state: 'queued', runId: 'r2' },
    });
    expect(next).toMatchObject({ runId: 'r2', runState: 'queued', text: '', tokenCount: 0, complete: null });
    const failed = applyStreamEvent(next, 'ep:10', {
      type: 'error',
      threadId,
      ts,
      runId: 'r2',
      content: { message: 'model went away', runId: 'r2' },
    });
    expect(failed).toMatchObject({ runState: 'error', error: 'model went away' });
  });

  it('starts over on a reset notice and rebuilds from the replay that follows', () => {
    const state = applyAll(run('r1', ['a', 'b']).slice(0, 3));
    const reset = applyStreamEvent(state, 'new:0', {
      type: 'status',
      threadId,
      ts,
      content: { state: 'reset', reason: 'the thread history was lost' },
    });
    expect(reset).toMatchObject({ runId: null, runState: 'idle', text: '', reset: 'the thread history was lost' });
    const replayed = run('r1', ['a', 'b']).map(([id, event]): [string, StreamEvent] => [
      id.replace('ep', 'new'),
      event,
    ]);
    expect(applyAll(replayed, reset)).toMatchObject({ runState: 'done', text: 'ab', complete: true, reset: null });
  });

  it('applies an event of a new epoch (history was lost) even with a lower seq', () => {
    const state = applyAll(run('r1', ['a']).slice(0, 3));
    const next = applyStreamEvent(state, 'other:1', { type: 'token', threadId, ts, runId: 'r1', content: 'b' });
    expect(next.text).toBe('ab');
    expect(next.lastEventId).toBe('other:1');
  });
});
