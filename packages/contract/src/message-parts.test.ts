import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  applyMessageEvent,
  foldMessageEvents,
  type MessageEvent,
  messagePartSchema,
  messageText,
} from './message-parts.ts';
import { type DeltaPart, deltaPartSchema, parseDataPart } from './parts.ts';

const delta = (content: DeltaPart, ts = 1_000): MessageEvent => ({ type: 'delta', content, ts });
const token = (content: string, ts = 1_000): MessageEvent => ({ type: 'token', content, ts });

/** A run with every kind of part: reasoning, two parallel tool calls (one fails), a source, data and text. */
const run: MessageEvent[] = [
  delta({ type: 'start-step' }),
  delta({ type: 'reasoning-start', id: 'r1' }, 1_000),
  delta({ type: 'reasoning-delta', id: 'r1', delta: 'Let me ' }),
  delta({ type: 'reasoning-delta', id: 'r1', delta: 'compute.' }),
  delta({ type: 'reasoning-end', id: 'r1' }, 2_500),
  delta({ type: 'tool-input-start', toolCallId: 'c1', toolName: 'calculator' }),
  delta({ type: 'tool-input-start', toolCallId: 'c2', toolName: 'clock' }),
  delta({ type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"expr' }),
  delta({ type: 'tool-input-delta', toolCallId: 'c2', inputTextDelta: '{"timeZone":"UTC"}' }),
  delta({ type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: 'ession":"2*3"}' }),
  delta({ type: 'tool-input-available', toolCallId: 'c1', toolName: 'calculator', input: { expression: '2*3' } }),
  delta({ type: 'tool-input-available', toolCallId: 'c2', toolName: 'clock', input: { timeZone: 'UTC' } }),
  delta({ type: 'tool-output-error', toolCallId: 'c2', errorText: 'clock timed out after 10000 ms' }),
  delta({ type: 'tool-output-available', toolCallId: 'c1', output: { value: 6 } }),
  delta({ type: 'finish-step' }),
  delta({ type: 'start-step' }),
  token('The answer '),
  token('is **6**.'),
  delta({ type: 'source-url', sourceId: 's1', url: 'https://example.com/', title: 'Example' }),
  delta({ type: 'data-progress', id: 'p', data: { done: 1 } }),
  delta({ type: 'data-progress', id: 'p', data: { done: 2 } }),
  token(' Done.'),
  delta({ type: 'finish-step' }),
];

describe('the message fold', () => {
  it('adds up every kind of part, in order, with tool state, streamed arguments and reasoning duration', () => {
    const parts = foldMessageEvents(run);
    expect(parts).toEqual([
      { type: 'step-start', index: 1, state: 'done' },
      { type: 'reasoning', id: 'r1', text: 'Let me compute.', state: 'done', startedAt: 1_000, endedAt: 2_500 },
      {
        type: 'tool',
        toolCallId: 'c1',
        toolName: 'calculator',
        state: 'output-available',
        inputText: '{"expression":"2*3"}',
        input: { expression: '2*3' },
        output: { value: 6 },
      },
      {
        type: 'tool',
        toolCallId: 'c2',
        toolName: 'clock',
        state: 'output-error',
        inputText: '{"timeZone":"UTC"}',
        input: { timeZone: 'UTC' },
        errorText: 'clock timed out after 10000 ms',
      },
      { type: 'step-start', index: 2, state: 'done' },
      { type: 'text', text: 'The answer is **6**.' },
      { type: 'source-url', sourceId: 's1', url: 'https://example.com/', title: 'Example' },
      { type: 'data', name: 'progress', id: 'p', data: { done: 2 } },
      { type: 'text', text: ' Done.' },
    ]);
    expect(messageText(parts)).toBe('The answer is **6**. Done.');
    for (const part of parts) expect(messagePartSchema.parse(part)).toEqual(part);
  });

  it('continues from any point as if it had seen everything (thread.get, then the live stream)', () => {
    const whole = foldMessageEvents(run);
    for (let cut = 0; cut <= run.length; cut += 1) {
      const seeded = JSON.parse(JSON.stringify(foldMessageEvents(run.slice(0, cut))));
      expect(foldMessageEvents(run.slice(cut), seeded)).toEqual(whole);
    }
  });

  it('copies on write: earlier states and the parts that did not change stay as they were', () => {
    const before = foldMessageEvents(run.slice(0, 12));
    const frozen = JSON.stringify(before);
    const after = applyMessageEvent(before, run[12] as MessageEvent);
    expect(JSON.stringify(before)).toBe(frozen);
    expect(after[1]).toBe(before[1]);
    expect(after[3]).not.toBe(before[3]);
  });

  it('starts a part whose start it never saw (history trimmed) rather than dropping what follows', () => {
    const parts = foldMessageEvents([
      delta({ type: 'reasoning-delta', id: 'r9', delta: 'tail of a thought' }, 5),
      delta({ type: 'tool-input-delta', toolCallId: 'c9', inputTextDelta: '1}' }),
      delta({ type: 'tool-output-available', toolCallId: 'c9', output: 1 }),
      delta({ type: 'finish-step' }),
    ]);
    expect(parts).toEqual([
      { type: 'reasoning', id: 'r9', text: 'tail of a thought', state: 'streaming', startedAt: 5 },
      {
        type: 'tool',
        toolCallId: 'c9',
        toolName: 'unknown',
        state: 'output-available',
        inputText: '1}',
        output: 1,
      },
    ]);
  });

  it('records an approval request, its answer and a denial', () => {
    const parts = foldMessageEvents([
      delta({ type: 'tool-input-available', toolCallId: 'c1', toolName: 'save_note', input: { text: 'hi' } }),
      delta({ type: 'tool-approval-request', toolCallId: 'c1', approvalId: 'a1' }),
    ]);
    expect(parts[0]).toMatchObject({ state: 'approval-requested', approval: { id: 'a1' } });
    const denied = foldMessageEvents(
      [
        delta({ type: 'tool-approval-response', toolCallId: 'c1', approvalId: 'a1', approved: false, reason: 'no' }),
        delta({ type: 'tool-output-denied', toolCallId: 'c1' }),
      ],
      parts,
    );
    expect(denied[0]).toMatchObject({ state: 'output-denied', approval: { id: 'a1', approved: false, reason: 'no' } });
  });
});

describe('delta parts', () => {
  it('accept what the fold reads and refuse unknown types and malformed parts with the field at fault', () => {
    for (const event of run)
      if (event.type === 'delta') expect(deltaPartSchema.parse(event.content)).toEqual(event.content);
    const problem = (value: unknown) => {
      const parsed = deltaPartSchema.safeParse(value);
      return parsed.success ? null : z.prettifyError(parsed.error);
    };
    expect(problem({ type: 'tool-call' })).toMatch(/unknown part type "tool-call"/);
    expect(problem('text')).toMatch(/unknown part type undefined/);
    expect(problem({ type: 'tool-input-delta', toolCallId: 'c1' })).toMatch(/tool-input-delta:[\s\S]*inputTextDelta/);
    expect(problem({ type: 'tool-input-start', toolCallId: 'c1', toolName: 'rm -rf' })).toMatch(/toolName/);
    expect(problem({ type: 'source-url', sourceId: 's', url: 'javascript:alert(1)' })).toMatch(/url/);
    expect(problem({ type: 'data-Weather', data: 1 })).toMatch(/data-<name>/);
    expect(problem({ type: 'tool-output-available', toolCallId: 'c1', output: () => 1 })).toMatch(/output/);
  });

  it("are checked against an app's own data schemas, typed", () => {
    const schemas = { weather: z.object({ city: z.string(), celsius: z.number() }) };
    const part = { type: 'data-weather', data: { city: 'Oslo', celsius: -3 } } as const;
    const parsed = parseDataPart(schemas, part);
    expect(parsed).toEqual({ name: 'weather', data: { city: 'Oslo', celsius: -3 } });
    if (parsed) {
      const celsius: number = parsed.data.celsius;
      expect(celsius).toBe(-3);
    }
    expect(parseDataPart(schemas, { type: 'data-weather', data: { city: 'Oslo' } })).toBeNull();
    expect(parseDataPart(schemas, { type: 'data-other', data: {} })).toBeNull();
    expect(parseDataPart(schemas, { type: 'data-constructor' as 'data-x', data: {} })).toBeNull();
  });
});
