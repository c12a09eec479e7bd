import type { MessagePart, ThreadMessage } from '@threadcast/contract';
import type { Render } from './recorder.ts';
import { comparableText, renderedText, whereTheyPart } from './visible-text.ts';

/** One part of a reply as the page shows it (from its `DOM_HOOKS` attributes). */
export interface ShownPart {
  kind: string;
  toolState: string | null;
  text: string;
}

/** A run's element as the page shows it. */
export interface ShownRun {
  runId: string;
  threadId: string | null;
  state: string | null;
  complete: string | null;
  parts: ShownPart[];
}

/** The text a UI may show for `source`: rendered as markdown, or as it is (a UI that shows plain text). */
function readings(source: string): string[] {
  return [comparableText(renderedText(source)), comparableText(source)];
}

const shownKinds = (parts: readonly MessagePart[]) => parts.filter((part) => part.type !== 'step-start');
const joined = (parts: readonly ShownPart[], kind: string) =>
  parts
    .filter((part) => part.kind === kind)
    .map((part) => part.text)
    .join('');
const storedReasoning = (parts: readonly MessagePart[]) =>
  parts.map((part) => (part.type === 'reasoning' ? part.text : '')).join('');

function sameText(label: string, shown: string, source: string): string | null {
  const seen = comparableText(shown);
  const candidates = readings(source);
  if (candidates.includes(seen)) return null;
  return `the ${label} the page shows is not the thread's: ${whereTheyPart(seen, candidates[0] as string)}`;
}

/**
 * What is wrong with how the page showed `stored` (the run as the thread's history has it), as sentences; empty
 * when nothing is. `renders` are the texts the page showed while the run streamed, when the kit watched it.
 */
export function streamedRunProblems(shown: ShownRun, stored: ThreadMessage, renders: readonly Render[] = []): string[] {
  const problems: string[] = [];
  if (shown.state !== stored.state)
    problems.push(`the page shows the run ${shown.state ?? '(no state)'}, the thread has it ${stored.state}`);
  if (shown.complete === 'false')
    problems.push(
      'the page did not apply every token and delta exactly once (data-threadcast-complete="false": its count or text differs from what `done` reported)',
    );
  const text = sameText('text', joined(shown.parts, 'text'), stored.text);
  if (text) problems.push(text);
  // A kind of part the UI never shows (no element with its hook) is not checked: only the kinds it shows are.
  // The reply's text always is.
  const kindsShown = new Set(shown.parts.map((part) => part.kind));
  const reasoning = kindsShown.has('reasoning')
    ? sameText('reasoning', joined(shown.parts, 'reasoning'), storedReasoning(stored.parts))
    : null;
  if (reasoning) problems.push(reasoning);

  const expectedParts = shownKinds(stored.parts).filter((part) => kindsShown.has(part.type));
  const partList = (parts: readonly { kind: string; toolState: string | null }[]) =>
    parts.map((part) => (part.toolState ? `${part.kind}(${part.toolState})` : part.kind)).join(', ');
  const shownList = partList(shown.parts);
  const expectedList = partList(
    expectedParts.map((part) => ({ kind: part.type, toolState: part.type === 'tool' ? part.state : null })),
  );
  if (shownList !== expectedList)
    problems.push(`the page shows the parts [${shownList}], the thread has [${expectedList}]`);

  const finalText = readings(stored.text);
  const finalReasoning = readings(storedReasoning(stored.parts));
  for (const [index, render] of renders.entries()) {
    const seenText = comparableText(render.text);
    const seenReasoning = comparableText(render.reasoning);
    const textOk = finalText.some((text) => text.startsWith(seenText));
    const reasoningOk = finalReasoning.some((text) => text.startsWith(seenReasoning));
    if (textOk && reasoningOk) continue;
    const [label, seen, final] = textOk
      ? ['reasoning', seenReasoning, finalReasoning[0] as string]
      : ['text', seenText, finalText[0] as string];
    problems.push(
      `while it streamed (render ${index + 1} of ${renders.length}) the page showed ${label} that is not a beginning of the run's: ${whereTheyPart(seen, final)}`,
    );
    break;
  }
  return problems;
}
