import type { Page } from '@playwright/test';
import { WAIT_TIMEOUT_MS } from '@threadcast/testkit';

/** What one EventSource opened by the page has seen of its thread. */
export interface StreamView {
  threadId: string;
  /** The server's `connected` message arrived. */
  connected: boolean;
  /** EventSource.readyState: 0 connecting, 1 open, 2 closed. */
  readyState: number;
  /** Data events, in arrival order. */
  events: { type: string; threadId: string; runId?: string; content: unknown }[];
}

interface StreamsWindow {
  threadcastStreams?: { view: StreamView; source: EventSource }[];
}

/**
 * Opens one `thread.onEvent` EventSource per thread from the page itself, as the app's link does (same
 * origin, the session cookie), and keeps what each receives. Returns the index of the first one opened.
 */
export function openStreams(page: Page, threadIds: readonly string[]): Promise<number> {
  return page.evaluate((ids) => {
    const scope = window as unknown as StreamsWindow;
    scope.threadcastStreams ??= [];
    const streams = scope.threadcastStreams;
    const first = streams.length;
    for (const threadId of ids) {
      const source = new EventSource(`/trpc/thread.onEvent?input=${encodeURIComponent(JSON.stringify({ threadId }))}`);
      const view: StreamView = { threadId, connected: false, readyState: source.readyState, events: [] };
      source.addEventListener('connected', () => {
        view.connected = true;
      });
      source.addEventListener('message', (message) => view.events.push(JSON.parse(message.data)));
      streams.push({ view, source });
    }
    return first;
  }, threadIds);
}

/** What every stream the page opened has seen so far. */
export function streamViews(page: Page): Promise<StreamView[]> {
  return page.evaluate(() =>
    ((window as unknown as StreamsWindow).threadcastStreams ?? []).map(({ view, source }) => ({
      ...view,
      readyState: source.readyState,
    })),
  );
}

/** Resolves once each of the streams at `indexes` has received `connected`. */
export async function waitForConnected(page: Page, indexes: readonly number[]): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const streams = (window as unknown as StreamsWindow).threadcastStreams ?? [];
      return wanted.every((index) => streams[index]?.view.connected === true);
    },
    indexes,
    { timeout: WAIT_TIMEOUT_MS },
  );
}

/** Resolves once each of the streams at `indexes` has received a `done` event. */
export async function waitForDone(page: Page, indexes: readonly number[]): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const streams = (window as unknown as StreamsWindow).threadcastStreams ?? [];
      return wanted.every((index) => streams[index]?.view.events.some((event) => event.type === 'done'));
    },
    indexes,
    { timeout: WAIT_TIMEOUT_MS },
  );
}

export function closeStream(page: Page, index: number): Promise<void> {
  return page.evaluate((at) => {
    (window as unknown as StreamsWindow).threadcastStreams?.[at]?.source.close();
  }, index);
}

/** The reply text a stream's token events of `runId` spell out. */
export function replyOf(view: StreamView, runId: string): string {
  return view.events
    .filter((event) => event.type === 'token' && event.runId === runId)
    .map((event) => String(event.content))
    .join('');
}
