import { applyStreamEvent, initialStreamState, type StreamState } from '@threadcast/client';
import type { StreamEvent, ThreadDetail, ThreadMessage } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { chatMessages, streamStart } from './chat-message.ts';

const threadId = 'thread-1';

function stored(runId: string, overrides: Partial<ThreadMessage> = {}): ThreadMessage {
  return {
    runId,
    prompt: `prompt of ${runId}`,
    state: 'done',
    text: `reply of ${runId}`,
    tokenCount: 1,
    parts: [{ type: 'text', text: `reply of ${runId}` }],
    deltaCount: 0,
    createdAt: 1,
    ...overrides,
  };
}

function detail(messages: ThreadMessage[], lastEventId: string | null = '0-5.0'): ThreadDetail {
  return { threadId, title: 't', createdAt: 0, messages, lastEventId };
}

function play(state: StreamState, events: [string, StreamEvent][]): StreamState {
  return events.reduce((next, [id, event]) => applyStreamEvent(next, id, event), state);
}

const status = (runId: string, state: 'queued' | 'running'): StreamEvent => ({
  type: 'status',
  threadId,
  runId,
  ts: 1,
  content: { state, runId },
});

describe('chatMessages', () => {
  it('lists stored exchanges, and the run the stream follows once, from the stream', () => {
    const view = detail([stored('r1'), stored('r2', { state: 'running', text: 'par', parts: [] })]);
    const stream = play(streamStart(view), [
      ['0-6.0', { type: 'token', threadId, runId: 'r2', ts: 1, content: 'tial' }],
    ]);
    const messages = chatMessages(view, stream, null);
    expect(messages.map((message) => [message.id, message.live, message.state])).toEqual([
      ['r1', false, 'done'],
      ['r2', true, 'running'],
    ]);
    expect(messages[1]?.text).toBe('partial');
    expect(messages[1]?.prompt).toBe('prompt of r2');
  });

  it('shows a sent prompt at once, then under its run once the stream announces it, never twice', () => {
    const view = detail([stored('r1')]);
    const start = streamStart(view);
    const sending = chatMessages(view, start, { prompt: 'hello', runId: null });
    expect(sending.at(-1)).toMatchObject({ prompt: 'hello', pending: true, live: false, runId: null });

    const accepted = chatMessages(view, start, { prompt: 'hello', runId: 'r2' });
    expect(accepted.at(-1)).toMatchObject({ prompt: 'hello', pending: true, runId: 'r2' });

    const announced = chatMessages(view, play(start, [['0-6.0', status('r2', 'queued')]]), {
      prompt: 'hello',
      runId: 'r2',
    });
    expect(announced.map((message) => [message.id, message.pending, message.live])).toEqual([
      ['r1', false, false],
      ['r2', false, true],
    ]);
    expect(announced.at(-1)?.prompt).toBe('hello');
  });

  it('keeps the identity of an unchanged stored exchange between renders', () => {
    const view = detail([stored('r1')]);
    const first = chatMessages(view, initialStreamState, null);
    const second = chatMessages(view, play(initialStreamState, [['0-6.0', status('r2', 'running')]]), null);
    expect(second[0]).toBe(first[0]);
  });

  it('gives a reply stored before parts existed its text as one part', () => {
    const [message] = chatMessages(detail([stored('r1', { parts: [] })]), initialStreamState, null);
    expect(message?.parts).toEqual([{ type: 'text', text: 'reply of r1' }]);
  });
});

describe('streamStart', () => {
  it('resumes a run in progress where thread.get left it', () => {
    const start = streamStart(detail([stored('r1', { state: 'waiting', tokenCount: 3 })], '0-9.0'));
    expect(start).toMatchObject({ runId: 'r1', runState: 'waiting', tokenCount: 3, lastEventId: '0-9.0' });
  });

  it('starts after the last event, with no run, when every run has ended', () => {
    expect(streamStart(detail([stored('r1')], '0-9.0'))).toEqual({ ...initialStreamState, lastEventId: '0-9.0' });
  });
});
