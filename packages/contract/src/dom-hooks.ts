/**
 * The data attributes a threadcast UI puts on what it shows, so that tests (and `@threadcast/playwright`'s
 * matchers) can find a run, its parts and the stream's connection without knowing the UI's markup. The web app
 * sets them through `@threadcast/react`'s `runAttributes`, `partAttributes` and `connectionAttributes`.
 */
export const DOM_HOOKS = {
  /** On the element that shows one run's reply: the run's id. */
  run: 'data-threadcast-run',
  /** On the same element: the thread the run belongs to. */
  thread: 'data-threadcast-thread',
  /** On the same element: the run's state as the page knows it (`queued`, `running`, … `done`). */
  runState: 'data-threadcast-run-state',
  /**
   * On the same element, for the run the page followed live, once it ended: `true` when the page applied every
   * token and delta of the run exactly once (its counts and text match what `done` reports), else `false`.
   */
  complete: 'data-threadcast-complete',
  /** On each shown part of a reply, inside the run's element: the part's type (`text`, `reasoning`, `tool`…). */
  part: 'data-threadcast-part',
  /** On a `tool` part: the tool call's state (`input-streaming`, … `output-available`). */
  toolState: 'data-threadcast-tool-state',
  /** On the element that shows the live stream's connection: `connecting`, `live`, `reconnecting` or `offline`. */
  connection: 'data-threadcast-connection',
} as const;

export type DomHook = keyof typeof DOM_HOOKS;
