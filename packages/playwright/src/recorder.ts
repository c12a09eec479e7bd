import type { BrowserContext } from '@playwright/test';
import { DOM_HOOKS } from '@threadcast/contract';
import type { ThreadcastApi } from './api.ts';

/** What a run's element showed at one moment: its text parts' and its reasoning parts' text, each joined. */
export interface Render {
  text: string;
  reasoning: string;
}

/** What the kit knows about a browser context it watches: every render of every run, and the server to ask. */
export interface Watched {
  api: ThreadcastApi;
  renders: Map<string, Render[]>;
}

const BINDING = '__threadcastRender';
const watched = new WeakMap<BrowserContext, Watched>();

/**
 * Runs in every page of the context from its first byte: reports each change of the text a run's element shows
 * (found by the `DOM_HOOKS` attributes) to the test, so a token shown twice and later corrected is still caught.
 */
function recordRenders({ hooks, binding }: { hooks: typeof DOM_HOOKS; binding: string }): void {
  const report = (window as unknown as Record<string, (runId: string, text: string, reasoning: string) => void>)[
    binding
  ];
  const last = new WeakMap<Element, string>();
  const runSelector = `[${hooks.run}]`;
  const check = (element: Element) => {
    const runId = element.getAttribute(hooks.run);
    if (!runId) return;
    let text = '';
    let reasoning = '';
    for (const part of element.querySelectorAll(`[${hooks.part}]`)) {
      const kind = part.getAttribute(hooks.part);
      if (kind === 'text') text += part.textContent ?? '';
      else if (kind === 'reasoning') reasoning += part.textContent ?? '';
    }
    const key = `${runId}\u0000${text}\u0000${reasoning}`;
    if (last.get(element) === key) return;
    last.set(element, key);
    void report?.(runId, text, reasoning);
  };
  new MutationObserver((records) => {
    const touched = new Set<Element>();
    for (const record of records) {
      const node = record.target;
      const element = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
      const run = element?.closest(runSelector);
      if (run) touched.add(run);
      for (const added of record.addedNodes) {
        if (added.nodeType !== Node.ELEMENT_NODE) continue;
        for (const inner of (added as Element).querySelectorAll(runSelector)) touched.add(inner);
      }
    }
    for (const run of touched) check(run);
  }).observe(document, {
    subtree: true,
    childList: true,
    characterData: true,
    attributeFilter: [hooks.run, hooks.part],
  });
}

/**
 * Watches every page of `context` (those open now once they navigate, and every later one): the renders of each
 * run, kept on the test's side so that they outlive a reload. `api` is how the matchers read the thread's history.
 */
export async function watchContext(context: BrowserContext, api: ThreadcastApi): Promise<Watched> {
  const existing = watched.get(context);
  if (existing) return existing;
  const state: Watched = { api, renders: new Map() };
  watched.set(context, state);
  await context.exposeBinding(BINDING, (_source, runId: string, text: string, reasoning: string) => {
    const renders = state.renders.get(runId) ?? [];
    renders.push({ text, reasoning });
    state.renders.set(runId, renders);
  });
  await context.addInitScript(recordRenders, { hooks: DOM_HOOKS, binding: BINDING });
  return state;
}

export function watchedContext(context: BrowserContext): Watched | undefined {
  return watched.get(context);
}
