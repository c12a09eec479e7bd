import type { ThreadMessage } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { type ShownRun, streamedRunProblems } from './streamed-run.ts';

const stored: ThreadMessage = {
  runId: 'run_1',
  prompt: 'hi',
  state: 'done',
  text: 'You said: **hello** there.\n\n- one\n- two',
  tokenCount: 7,
  deltaCount: 2,
  parts: [
    { type: 'step-start', index: 0, state: 'done' },
    { type: 'reasoning', id: 'r1', text: 'thinking it over', state: 'done', startedAt: 1, endedAt: 2 },
    { type: 'text', text: 'You said: **hello** there.\n\n- one\n- two' },
  ],
  createdAt: 1,
};

/** The page as the web app renders the stored run: markdown rendered, reasoning in its own element. */
function shown(text = 'You said: hello there.\none\ntwo', overrides: Partial<ShownRun> = {}): ShownRun {
  return {
    runId: 'run_1',
    threadId: 'thr_1',
    state: 'done',
    complete: 'true',
    parts: [
      { kind: 'reasoning', toolState: null, text: 'thinking it over' },
      { kind: 'text', toolState: null, text },
    ],
    ...overrides,
  };
}

describe('streamedRunProblems', () => {
  it('finds nothing wrong with a run shown as the thread keeps it, rendered or not', () => {
    expect(streamedRunProblems(shown(), stored)).toEqual([]);
    expect(streamedRunProblems(shown(stored.text), stored)).toEqual([]);
  });

  it('finds a doubled word and a missing one, and says where', () => {
    const [doubled] = streamedRunProblems(shown('You said: hello hello there.\none\ntwo'), stored);
    expect(doubled).toMatch(/text the page shows is not the thread's: at character 13/);
    const [missing] = streamedRunProblems(shown('You said: there.\none\ntwo'), stored);
    expect(missing).toMatch(/not the thread's/);
  });

  it('finds a render that was not a beginning of the reply, even when the end is right', () => {
    const renders = [
      { text: 'You said:', reasoning: 'thinking it over' },
      { text: 'You said: hello hello', reasoning: 'thinking it over' },
      { text: 'You said: hello there. one two', reasoning: 'thinking it over' },
    ];
    const problems = streamedRunProblems(shown(), stored, renders);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/render 2 of 3\) the page showed text that is not a beginning/);
    // Half-closed markdown while streaming is a beginning.
    expect(streamedRunProblems(shown(), stored, [{ text: 'You said: **hel', reasoning: 'think' }])).toEqual([]);
  });

  it("trusts the page's own exactly-once count, and the state and parts it shows", () => {
    expect(streamedRunProblems(shown(undefined, { complete: 'false' }), stored)[0]).toMatch(/exactly once/);
    expect(streamedRunProblems(shown(undefined, { state: 'running' }), stored)[0]).toMatch(
      /shows the run running, the thread has it done/,
    );
    const reordered = shown(undefined, {
      parts: [
        { kind: 'text', toolState: null, text: 'You said: hello there. one two' },
        { kind: 'reasoning', toolState: null, text: 'thinking it over' },
      ],
    });
    expect(streamedRunProblems(reordered, stored).join('\n')).toMatch(
      /parts \[text, reasoning\], the thread has \[reasoning, text\]/,
    );
    // A UI that never shows reasoning is checked on what it does show.
    const textOnly = shown(undefined, {
      parts: [{ kind: 'text', toolState: null, text: 'You said: hello there.\none two' }],
    });
    expect(streamedRunProblems(textOnly, stored)).toEqual([]);
  });
});
