import { describe, expect, it } from 'vitest';
import { activityEventSchema, renameThreadInput, titleFromPrompt } from './activity.ts';

describe('thread activity', () => {
  it('names a thread from its first prompt: one line, cut at a word, short prompts as they are', () => {
    expect(titleFromPrompt('  What is\n the time?  ')).toBe('What is the time?');
    const long = 'Explain how exactly-once delivery survives a server killed in the middle of a streamed reply';
    const title = titleFromPrompt(long);
    expect(title).toBe('Explain how exactly-once delivery survives a server killed…');
    expect(title.length).toBeLessThanOrEqual(60);
    expect(titleFromPrompt('x'.repeat(100))).toBe(`${'x'.repeat(59)}…`);
  });

  it('accepts each kind of change and a reset, and refuses anything else', () => {
    const ts = 1;
    for (const event of [
      { kind: 'created', threadId: 't1', title: 'New thread', createdAt: 1, ts },
      { kind: 'renamed', threadId: 't1', title: 'Renamed', ts },
      { kind: 'run', threadId: 't1', runId: 'r1', state: 'cancelled', reason: 'cancelled by the user', ts },
      { kind: 'reset', reason: 'history was trimmed', ts },
    ]) {
      expect(activityEventSchema.parse(event)).toEqual(event);
    }
    expect(
      activityEventSchema.safeParse({ kind: 'run', threadId: 't1', runId: 'r1', state: 'sleeping', ts }).success,
    ).toBe(false);
    expect(activityEventSchema.safeParse({ kind: 'deleted', threadId: 't1', ts }).success).toBe(false);
  });

  it('refuses an empty or overlong new title with a message that says why', () => {
    expect(renameThreadInput.safeParse({ threadId: 't1', title: '   ' }).error?.issues[0]?.message).toBe(
      'title is required',
    );
    expect(renameThreadInput.safeParse({ threadId: 't1', title: 'x'.repeat(201) }).error?.issues[0]?.message).toBe(
      'title is at most 200 characters',
    );
    expect(renameThreadInput.parse({ threadId: 't1', title: '  Trimmed  ' }).title).toBe('Trimmed');
  });
});
