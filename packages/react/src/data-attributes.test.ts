import { DOM_HOOKS } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { connectionAttributes, partAttributes, runAttributes } from './data-attributes.ts';

describe('the documented test hooks', () => {
  it("name a run, its thread, its state and the page's exactly-once verdict once there is one", () => {
    expect(runAttributes({ runId: 'run_1', state: 'running', complete: null }, 'thr_1')).toEqual({
      [DOM_HOOKS.run]: 'run_1',
      [DOM_HOOKS.thread]: 'thr_1',
      [DOM_HOOKS.runState]: 'running',
      [DOM_HOOKS.complete]: undefined,
    });
    expect(runAttributes({ runId: 'run_1', state: 'done', complete: false }, 'thr_1')[DOM_HOOKS.complete]).toBe(
      'false',
    );
    // No run yet (the live slot before the first prompt): no run id, so no matcher mistakes it for one.
    expect(runAttributes(undefined, 'thr_1')[DOM_HOOKS.run]).toBeUndefined();
  });

  it("name a part's type, a tool's state, and the connection", () => {
    expect(partAttributes({ type: 'text', text: 'hi' })).toEqual({
      [DOM_HOOKS.part]: 'text',
      [DOM_HOOKS.toolState]: undefined,
    });
    expect(
      partAttributes({ type: 'tool', toolCallId: 'c1', toolName: 'clock', state: 'output-available', inputText: '{}' }),
    ).toMatchObject({ [DOM_HOOKS.part]: 'tool', [DOM_HOOKS.toolState]: 'output-available' });
    expect(connectionAttributes('reconnecting')).toEqual({ [DOM_HOOKS.connection]: 'reconnecting' });
  });
});
