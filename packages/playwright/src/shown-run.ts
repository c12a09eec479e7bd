import type { Locator, Page } from '@playwright/test';
import { DOM_HOOKS } from '@threadcast/contract';
import type { ShownRun } from './streamed-run.ts';

/** The element of run `runId`, or of the page's last run when none is given. */
export function runElement(target: Page | Locator, runId?: string): Locator {
  const selector = runId === undefined ? `[${DOM_HOOKS.run}]` : `[${DOM_HOOKS.run}=${JSON.stringify(runId)}]`;
  return target.locator(selector).last();
}

/** What a run's element shows, read from its `DOM_HOOKS` attributes. */
export function readShownRun(element: Locator): Promise<ShownRun> {
  return element.evaluate((run, hooks) => {
    const parts = [...run.querySelectorAll(`[${hooks.part}]`)].map((part) => ({
      kind: part.getAttribute(hooks.part) ?? '',
      toolState: part.getAttribute(hooks.toolState),
      text: part.textContent ?? '',
    }));
    return {
      runId: run.getAttribute(hooks.run) ?? '',
      threadId: run.getAttribute(hooks.thread),
      state: run.getAttribute(hooks.runState),
      complete: run.getAttribute(hooks.complete),
      parts,
    };
  }, DOM_HOOKS);
}
