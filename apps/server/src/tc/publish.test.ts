import { describe, expect, it } from 'vitest';
import { testEvent } from './publish.ts';
import { UsageError } from './usage-error.ts';

describe('testEvent', () => {
  it("takes a token's content as text and any other type's as JSON", () => {
    expect(testEvent('t1', 'token', '{"not": "parsed"}')).toMatchObject({
      type: 'token',
      content: '{"not": "parsed"}',
    });
    expect(testEvent('t1', 'error', '{"message":"it failed"}', 'r1')).toMatchObject({
      type: 'error',
      threadId: 't1',
      runId: 'r1',
      content: { message: 'it failed' },
      ts: expect.any(Number),
    });
  });

  it.each([
    ['nope', 'x', /unknown event type "nope": one of token, status, delta, done, error/],
    ['status', 'not json', /the content of a status event is JSON, e.g. '\{"state":"running","runId":"r1"\}'/],
    ['status', '{"state":"sleeping"}', /not a valid status event/],
    ['done', '{"runId":"r1"}', /not a valid done event/],
  ])('refuses a %s event with content %s, saying why', (type, content, message) => {
    expect(() => testEvent('t1', type, content)).toThrow(UsageError);
    expect(() => testEvent('t1', type, content)).toThrow(message);
  });
});
