import { describe, expect, it } from 'vitest';
import { chatStatus } from './chat-status.ts';
import { connectionState, notLive } from './connection.ts';

function trpcError(code: string, message: string): Error & { data: { code: string } } {
  return Object.assign(new Error(message), { data: { code } });
}

describe('notLive', () => {
  it('is null while live', () => {
    expect(notLive('live', null, true)).toBeNull();
  });

  it('names a refusal by its code', () => {
    expect(notLive('reconnecting', trpcError('TOO_MANY_REQUESTS', 'too many streams'), true)).toEqual({
      reason: 'too-many-requests',
      message: 'too many streams',
    });
    expect(notLive('offline', trpcError('UNAUTHORIZED', 'token expired'), true)?.reason).toBe('unauthorized');
    expect(notLive('offline', trpcError('NOT_FOUND', 'thread t not found'), true)?.reason).toBe('not-found');
    expect(notLive('offline', trpcError('INTERNAL_SERVER_ERROR', 'internal'), true)?.reason).toBe('error');
  });

  it('says offline when the browser is, or the server could not be reached', () => {
    expect(notLive('reconnecting', trpcError('TOO_MANY_REQUESTS', 'x'), false)?.reason).toBe('offline');
    expect(notLive('reconnecting', new Error('fetch failed'), true)?.reason).toBe('offline');
    expect(notLive('connecting', null, true)?.reason).toBe('connecting');
  });
});

describe('connectionState', () => {
  it('tells a first connect from a resume', () => {
    expect(connectionState('connecting', false)).toBe('connecting');
    expect(connectionState('connecting', true)).toBe('reconnecting');
    expect(connectionState('pending', true)).toBe('live');
    expect(connectionState('error', true)).toBe('offline');
  });
});

describe('chatStatus', () => {
  it("follows useChat's words", () => {
    expect(chatStatus({ hasError: false, sending: false, runState: 'idle' })).toBe('ready');
    expect(chatStatus({ hasError: false, sending: true, runState: 'done' })).toBe('submitted');
    expect(chatStatus({ hasError: false, sending: false, runState: 'queued' })).toBe('submitted');
    expect(chatStatus({ hasError: false, sending: false, runState: 'running' })).toBe('streaming');
    expect(chatStatus({ hasError: false, sending: false, runState: 'waiting' })).toBe('waiting');
    expect(chatStatus({ hasError: true, sending: false, runState: 'running' })).toBe('error');
    expect(chatStatus({ hasError: false, sending: false, runState: 'cancelled' })).toBe('ready');
  });
});
