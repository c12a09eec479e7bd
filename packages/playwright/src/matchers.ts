import { expect as baseExpect, type Locator, type Page } from '@playwright/test';
import { DOM_HOOKS, type RunState, runStates } from '@threadcast/contract';
import { ThreadcastApi } from './api.ts';
import { watchedContext } from './recorder.ts';
import { readShownRun, runElement } from './shown-run.ts';
import { streamedRunProblems } from './streamed-run.ts';

/** How long a run may take to end before `toHaveStreamedRun` gives up: paced demo runs on a loaded machine. */
export const RUN_END_TIMEOUT_MS = 60_000;
/** How long what the page shows may take to settle on the history once the run ended (a last render). */
const SETTLE_MS = 5_000;

const ENDED = ['done', 'error', 'cancelled'] as const satisfies readonly RunState[];

export interface StreamedRunOptions {
  /** The run to check; default the page's last run. */
  runId?: string;
  /**
   * Also check the run was shown exactly once (default true): every text the page showed while it streamed was a
   * beginning of the final reply, and the page's own count of tokens and deltas matched `done`'s.
   */
  exactlyOnce?: boolean;
  /** How long to wait for the run to end (default 60 s). */
  timeout?: number;
}

const pageOf = (target: Page | Locator): Page => ('page' in target ? target.page() : target);

/** Resolves with the id of the run (`runId`, or the page's last) once the page shows it in `state`. */
export async function waitForRunState(
  target: Page | Locator,
  state: RunState,
  options: { runId?: string; timeout?: number } = {},
): Promise<string> {
  if (!(runStates as readonly string[]).includes(state))
    throw new TypeError(`waitForRunState: ${JSON.stringify(state)} is not a run state (${runStates.join(', ')})`);
  const element = runElement(target, options.runId);
  await baseExpect(element, `the run ${options.runId ?? '(last)'} to be ${state}`).toHaveAttribute(
    DOM_HOOKS.runState,
    state,
    { timeout: options.timeout ?? RUN_END_TIMEOUT_MS },
  );
  return (await element.getAttribute(DOM_HOOKS.run)) ?? '';
}

export const expect = baseExpect.extend({
  /**
   * Waits for the run to end, then compares it with the thread's own history (`thread.get`): the same state,
   * text, reasoning and parts in the same order, and (`exactlyOnce`) every render while it streamed a beginning of
   * the reply, with the page's count of events matching `done`'s. A doubled or dropped token fails it.
   */
  async toHaveStreamedRun(target: Page | Locator, options: StreamedRunOptions = {}) {
    const name = 'toHaveStreamedRun';
    const timeout = options.timeout ?? RUN_END_TIMEOUT_MS;
    const page = pageOf(target);
    const element = runElement(target, options.runId);
    let problems: string[];
    try {
      await baseExpect(element).toHaveAttribute(DOM_HOOKS.runState, new RegExp(`^(${ENDED.join('|')})$`), {
        timeout,
      });
      const watched = watchedContext(page.context());
      const api = watched?.api ?? new ThreadcastApi(page.request, new URL(page.url()).origin);
      const settleBy = Date.now() + SETTLE_MS;
      for (;;) {
        const shown = await readShownRun(element);
        if (!shown.threadId) throw new Error(`the run's element has no ${DOM_HOOKS.thread} attribute`);
        const detail = await api.thread(shown.threadId);
        const stored = detail.messages.find((message) => message.runId === shown.runId);
        if (!stored) throw new Error(`the thread ${shown.threadId} has no run ${shown.runId}`);
        const renders = options.exactlyOnce === false ? [] : (watched?.renders.get(shown.runId) ?? []);
        problems = streamedRunProblems(
          options.exactlyOnce === false ? { ...shown, complete: null } : shown,
          stored,
          renders,
        );
        if (problems.length === 0 || Date.now() > settleBy) break;
        // The page may not have drawn its last change yet: look again.
        await page.waitForTimeout(100);
      }
    } catch (error) {
      problems = [error instanceof Error ? error.message : String(error)];
    }
    const pass = problems.length === 0;
    const message = () =>
      pass
        ? `${this.utils.matcherHint(name, undefined, undefined, { isNot: this.isNot })}\n\nthe run was shown as the thread has it`
        : `${this.utils.matcherHint(name, undefined, undefined, { isNot: this.isNot })}\n\n${problems.map((problem) => `- ${problem}`).join('\n')}`;
    return { pass, message, name };
  },

  /** The page's live connection (its `data-threadcast-connection` element) is in `state`, waiting for it as `expect` waits. */
  async toHaveConnectionState(
    target: Page | Locator,
    state: 'connecting' | 'live' | 'reconnecting' | 'offline',
    options: { timeout?: number } = {},
  ) {
    const name = 'toHaveConnectionState';
    const indicator = target.locator(`[${DOM_HOOKS.connection}]`).first();
    let pass = true;
    let detail = '';
    try {
      const assertion = this.isNot ? baseExpect(indicator).not : baseExpect(indicator);
      await assertion.toHaveAttribute(DOM_HOOKS.connection, state, options);
    } catch (error) {
      pass = false;
      detail = error instanceof Error ? error.message : String(error);
    }
    if (this.isNot) pass = !pass;
    return {
      pass,
      name,
      message: () => `${this.utils.matcherHint(name, undefined, undefined, { isNot: this.isNot })}\n\n${detail}`,
    };
  },
});
