import type { EventBus, StoredEvent } from '@threadcast/bus';
import { type EventPosition, parseEventId, type ThreadId } from '@threadcast/contract';
import { UsageError } from './usage-error.ts';

export interface TailOptions {
  /** `live` (default): what is published from now on; `all`: the whole retained history first; or after an id. */
  start: 'live' | 'all' | { after: string };
  /** Stop after this many events (default: until the signal aborts). */
  count?: number;
  json: boolean;
  signal: AbortSignal;
  /** Told once the starting point is known: whatever is published from then on is printed. */
  onReady(description: string): void;
  write(line: string): void;
}

/** One line per event: `<id> <type> <content as JSON>`, or `{ id, event }` as JSON with `--json`. */
export function formatEvent(stored: StoredEvent, json: boolean): string {
  if (json) return JSON.stringify({ id: stored.id, event: stored.event });
  const run = stored.event.runId ? ` run=${stored.event.runId}` : '';
  return `${stored.id} ${stored.event.type}${run} ${JSON.stringify(stored.event.content)}`;
}

async function startingPoint(bus: EventBus, threadId: ThreadId, start: TailOptions['start']) {
  if (start === 'all') return { after: null, description: 'from the oldest retained event' };
  if (start === 'live') {
    // After the newest event: anything published from here on comes, from history if the live feed was late.
    const [newest] = await bus.history(threadId, { limit: 1 });
    return { after: newest?.position ?? null, description: 'live' };
  }
  const after: EventPosition | null = parseEventId(start.after);
  if (!after) throw new UsageError(`--from ${start.after} is not an event id like "k3j9x0a1b2:42"`);
  return { after, description: `after ${start.after}` };
}

/** Prints a thread's events as they are published (after history, if asked), through the bus. */
export async function tailThread(bus: EventBus, threadId: ThreadId, options: TailOptions): Promise<number> {
  const { after, description } = await startingPoint(bus, threadId, options.start);
  options.onReady(description);
  let printed = 0;
  for await (const stored of bus.subscribe(threadId, { after, signal: options.signal })) {
    options.write(formatEvent(stored, options.json));
    printed += 1;
    if (options.count !== undefined && printed >= options.count) break;
  }
  return printed;
}
