/**
 * How long a test waits for what another process, a connection, Redis or a browser has to do (a poll, an
 * event, a line of output, a page state) before it fails. Sized for a loaded 2-core machine that runs the
 * suites of several packages at once, where waits of 1 to 5 s ran out; a wait ends as soon as what it waits
 * for holds, so this costs nothing while all goes well. Vitest's `expect.poll` and Playwright's `expect` use
 * it as their default (vitest.shared.ts, e2e/playwright.config.ts).
 */
export const WAIT_TIMEOUT_MS = 20_000;

/** A test's own timeout, and a hook's: above any one wait, so that a wait that runs out says what it waited for. */
export const TEST_TIMEOUT_MS = 60_000;

/**
 * How long a test waits for a whole paced demo run to end (reasoning, tool calls and a reply, each chunk a
 * pause apart: up to about 20 s through the proxy stack's 100 ms pace, more on a loaded machine), and the
 * timeout of a test that waits for one.
 */
export const RUN_TIMEOUT_MS = 60_000;
export const RUN_TEST_TIMEOUT_MS = 2 * RUN_TIMEOUT_MS;
