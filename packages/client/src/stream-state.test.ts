import type { DeltaPart, StreamEvent } from '@threadcast/contract';
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

describe('applyStreamEvent with parts', () => {
  const runId = 'r1';
  const delta = (content: DeltaPart, at = ts): StreamEvent => ({ type: 'delta', threadId, ts: at, runId, content });
  const token = (content: string): StreamEvent => ({ type: 'token', threadId, ts, runId, content });
  /** A run that reasons, calls a tool with streamed arguments, then answers in two steps. */
  const agentRun: StreamEvent[] = [
    { type: 'status', threadId, ts, runId, content: { state: 'running', runId } },
    delta({ type: 'start-step' }),
    delta({ type: 'reasoning-start', id: 'rs1' }, 1_000),
    delta({ type: 'reasoning-delta', id: 'rs1', delta: 'Look ' }),
    delta({ type: 'reasoning-delta', id: 'rs1', delta: 'it up.' }),
    delta({ type: 'reasoning-end', id: 'rs1' }, 2_200),
    delta({ type: 'tool-input-start', toolCallId: 'c1', toolName: 'weather' }),
    delta({ type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"city":' }),
    delta({ type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '"Oslo"}' }),
    delta({ type: 'tool-input-available', toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }),
    delta({ type: 'tool-output-available', toolCallId: 'c1', output: { c: 3 } }),
    delta({ type: 'finish-step' }),
    delta({ type: 'start-step' }),
    token('It is '),
    token('**3 °C**.'),
    delta({ type: 'finish-step' }),
    {
      type: 'done',
      threadId,
      ts,
      runId,
      content: {
        runId,
        text: 'It is **3 °C**.',
        tokenCount: 2,
        deltaCount: 13,
        usage: { inputTokens: 10, outputTokens: 7 },
        model: 'demo',
        finishReason: 'stop',
      },
    },
  ];
  const ids = (events: StreamEvent[], from = 1): [string, StreamEvent][] =>
    events.map((event, i) => [`ep:${i + from}`, event]);
  const final = applyAll(ids(agentRun));

  it('folds reasoning, tools, steps and text into parts and keeps what done reports', () => {
    expect(final).toMatchObject({
      runState: 'done',
      complete: true,
      deltaCount: 13,
      usage: { inputTokens: 10, outputTokens: 7 },
      model: 'demo',
      finishReason: 'stop',
    });
    expect(final.parts.map((part) => part.type)).toEqual(['step-start', 'reasoning', 'tool', 'step-start', 'text']);
    expect(final.parts[1]).toMatchObject({ text: 'Look it up.', state: 'done', startedAt: 1_000, endedAt: 2_200 });
    expect(final.parts[2]).toMatchObject({ state: 'output-available', inputText: '{"city":"Oslo"}', output: { c: 3 } });
    expect(final.parts[4]).toEqual({ type: 'text', text: 'It is **3 °C**.' });
  });

  it('never doubles reasoning or tool arguments when a reconnect replays from mid-reasoning or mid-arguments', () => {
    const events = ids(agentRun);
    for (const cut of [4, 8]) {
      // The link resumes after the last event it saw, but a server may resend a few before it.
      const replay = [...events.slice(0, cut), ...events.slice(cut - 3)];
      expect(applyAll(replay)).toEqual(final);
    }
    const midArguments = applyAll(events.slice(0, 8));
    expect(midArguments.parts.at(-1)).toMatchObject({ state: 'input-streaming', inputText: '{"city":' });
    expect(applyAll(events.slice(5, 8), midArguments)).toBe(midArguments);
  });

  it('counts a missed delta against the deltaCount of done', () => {
    const missing = ids(agentRun).filter(([id]) => id !== 'ep:5');
    expect(applyAll(missing)).toMatchObject({ runState: 'done', complete: false });
  });

  it('continues a state seeded from thread.get parts', () => {
    const events = ids(agentRun);
    const seenByServer = applyAll(events.slice(0, 8));
    // What ThreadView builds from thread.get: the message's parts and counts, resuming after its lastEventId.
    const seeded: StreamState = {
      ...initialStreamState,
      runId,
      runState: 'running',
      text: seenByServer.text,
      tokenCount: seenByServer.tokenCount,
      parts: seenByServer.parts,
      deltaCount: seenByServer.deltaCount,
      lastEventId: 'ep:8',
    };
    expect(applyAll(events, seeded)).toEqual(final);
  });

  it('starts a new run with no parts', () => {
    const next = applyStreamEvent(final, 'ep:99', {
      type: 'status',
      threadId,
      ts,
      runId: 'r2',
      content: { state: 'queued', runId: 'r2' },
    });
    expect(next).toMatchObject({ runId: 'r2', parts: [], deltaCount: 0, usage: null, model: null, complete: null });
  });

  it('shows the reported text when tokens of a text-only reply were missed', () => {
    const events = run('r1', ['a', 'b', 'c']).filter(([id]) => id !== 'ep:4');
    expect(applyAll(events).parts).toEqual([{ type: 'text', text: 'abc' }]);
  });
});
