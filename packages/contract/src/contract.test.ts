import { describe, expect, it } from 'vitest';
import {
  formatEventId,
  isAtOrBefore,
  isBusy,
  onEventInput,
  parseEventId,
  parseStreamEvent,
  runStates,
  startRunInput,
  streamEventSchema,
  threadIdSchema,
  toStreamEvent,
} from './index.ts';

describe('event ids', () => {
  it('round-trips a position through its SSE id', () => {
    expect(formatEventId({ epoch: 'k3j9x0', seq: 42 })).toBe('k3j9x0:42');
    expect(parseEventId('k3j9x0:42')).toEqual({ epoch: 'k3j9x0', seq: 42 });
    expect(parseEventId('k3j9x0:0')).toEqual({ epoch: 'k3j9x0', seq: 0 });
    expect(parseEventId('k3j9x0:42.3')).toEqual({ epoch: 'k3j9x0', seq: 42, live: 3 });
    expect(formatEventId({ epoch: 'k3j9x0', seq: 42, live: 3 })).toBe('k3j9x0:42.3');
  });

  it.each([
    '',
    '42',
    'k3j9x0:',
    'k3j9x0:00',
    'k3j9x0:-1',
    'K3J:1',
    'a:b:1',
    'a:1\n',
    'a:99999999999999999',
    'a:1.0',
    'a:1.',
    'a:1.2.3',
  ])('rejects %j', (id) => {
    expect(parseEventId(id)).toBeNull();
  });
});

describe('StreamEvent', () => {
  const ts = 1_700_000_000_000;

  it('accepts every event type with its content', () => {
    const events = [
      { type: 'token', threadId: 't1', content: 'héllo 你好 🚀', ts },
      { type: 'status', threadId: 't1', content: { state: 'queued', runId: 'r1' }, ts, runId: 'r1' },
      { type: 'status', threadId: 't1', content: { state: 'reset', reason: 'history lost' }, ts },
      {
        type: 'delta',
        threadId: 't1',
        content: { type: 'tool-input-start', toolCallId: 'c1', toolName: 'search' },
        ts,
      },
      { type: 'done', threadId: 't1', content: { runId: 'r1', text: 'hi', tokenCount: 1 }, ts },
      { type: 'error', threadId: 't1', content: { message: 'boom' }, ts },
    ];
    for (const event of events) expect(streamEventSchema.parse(event)).toEqual(event);
  });

  it.each([
    ['an unknown type', { type: 'chunk', threadId: 't1', content: 'x', ts }],
    ['object content on a token', { type: 'token', threadId: 't1', content: { a: 1 }, ts }],
    ['a missing ts', { type: 'token', threadId: 't1', content: 'x' }],
    ['a fractional ts', { type: 'token', threadId: 't1', content: 'x', ts: 1.5 }],
    ['a pattern in threadId', { type: 'token', threadId: 'thread:*', content: 'x', ts }],
    ['an unknown run state', { type: 'status', threadId: 't1', content: { state: 'paused', runId: 'r' }, ts }],
  ])('rejects %s', (_label, event) => {
    expect(streamEventSchema.safeParse(event).success).toBe(false);
  });

  it.each([
    ['a token', { type: 'token', threadId: 't1', content: 'x', ts }],
    ['a token of a run', { type: 'token', threadId: 't_1-A', content: '', ts: 0, runId: 'r1' }],
    ['a token with an extra field', { type: 'token', threadId: 't1', content: 'x', ts, extra: 1 }],
    ['a token with runId undefined', { type: 'token', threadId: 't1', content: 'x', ts, runId: undefined }],
    ['a token with an empty runId', { type: 'token', threadId: 't1', content: 'x', ts, runId: '' }],
    ['a token with a long threadId', { type: 'token', threadId: 'x'.repeat(65), content: 'x', ts }],
    ['a token with the longest threadId', { type: 'token', threadId: 'x'.repeat(64), content: 'x', ts }],
    ['a token with a pattern in threadId', { type: 'token', threadId: 't*', content: 'x', ts }],
    ['a token with an unsafe ts', { type: 'token', threadId: 't1', content: 'x', ts: 2 ** 53 }],
    ['a token with a negative ts', { type: 'token', threadId: 't1', content: 'x', ts: -1 }],
    ['a token with a string ts', { type: 'token', threadId: 't1', content: 'x', ts: '1' }],
    ['a token with object content', { type: 'token', threadId: 't1', content: { a: 1 }, ts }],
    [
      'a token with a __proto__ key',
      JSON.parse('{"type":"token","threadId":"t1","content":"x","ts":1,"__proto__":{}}'),
    ],
    ['a status', { type: 'status', threadId: 't1', content: { state: 'queued', runId: 'r1', x: 1 }, ts }],
    ['an array', ['token']],
    ['null', null],
  ])('reads %s as the schema does', (_label, value) => {
    const parsed = streamEventSchema.safeParse(value);
    expect(toStreamEvent(value)).toEqual(parsed.success ? parsed.data : null);
  });

  it('parses untrusted JSON into an event or a reason', () => {
    expect(parseStreamEvent('{"type":"token","threadId":"t1","content":"x","ts":1}')).toEqual({
      ok: true,
      event: { type: 'token', threadId: 't1', content: 'x', ts: 1 },
    });
    expect(parseStreamEvent('{oops')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseStreamEvent('{"type":"token"}').ok).toBe(false);
  });
});

describe('procedure inputs', () => {
  it.each(['', 'a*', 'a?', 'a[b]', 'a:b', 'a\nb', 'é', 'x'.repeat(65)])('rejects threadId %j', (id) => {
    expect(threadIdSchema.safeParse(id).success).toBe(false);
  });

  it("trims prompts and refuses empty ones (the size limit is the server's setting)", () => {
    expect(startRunInput.parse({ threadId: 't1', prompt: '  hi  ' }).prompt).toBe('hi');
    expect(startRunInput.safeParse({ threadId: 't1', prompt: '   ' }).success).toBe(false);
  });

  it('keeps lastEventId, which tRPC merges into the input on reconnect', () => {
    expect(onEventInput.parse({ threadId: 't1', lastEventId: 'abc:3' })).toEqual({
      threadId: 't1',
      lastEventId: 'abc:3',
    });
    expect(onEventInput.parse({ threadId: 't1', lastEventId: null }).lastEventId).toBeNull();
    expect(onEventInput.safeParse({ threadId: 't1', lastEventId: 'nope' }).success).toBe(false);
  });
});

describe('isAtOrBefore', () => {
  it('orders ids of one history, live-only ids between their kept event and the next', () => {
    expect(isAtOrBefore(null, '1:5')).toBe(false);
    expect(isAtOrBefore('1:5', '1:4')).toBe(true);
    expect(isAtOrBefore('1:5', '1:5')).toBe(true);
    expect(isAtOrBefore('1:5', '1:5.1')).toBe(false);
    expect(isAtOrBefore('1:5.2', '1:5.1')).toBe(true);
    expect(isAtOrBefore('1:5.2', '1:6')).toBe(false);
  });

  it('never skips an id of another epoch or a malformed one', () => {
    expect(isAtOrBefore('2:5', '1:4')).toBe(false);
    expect(isAtOrBefore('1:5', 'nonsense')).toBe(false);
  });
});

describe('isBusy', () => {
  it('is true until a run ends', () => {
    expect(runStates.filter(isBusy)).toEqual(['queued', 'running', 'waiting']);
    expect(isBusy('idle')).toBe(false);
  });
});
