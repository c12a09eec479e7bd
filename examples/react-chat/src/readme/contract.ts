import { foldMessageEvents, type MessageEvent, messageText, parseStreamEvent } from '@threadcast/contract';

/** A run's reply from its events as JSON lines (a log, a file): each line checked against the contract. */
export function replyOf(lines: string[]): string {
  const events: MessageEvent[] = [];
  for (const line of lines) {
    const parsed = parseStreamEvent(line);
    if (!parsed.ok) throw new Error(`not a threadcast event: ${parsed.reason}`);
    if (parsed.event.type === 'token' || parsed.event.type === 'delta') events.push(parsed.event);
  }
  return messageText(foldMessageEvents(events));
}
