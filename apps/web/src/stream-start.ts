import { initialStreamState, type StreamState } from '@threadcast/client';
import type { ThreadDetail } from '@threadcast/contract';
import { isBusy } from './run-state.ts';

/** The stream picks up where `thread.get` left off: at its last event, with the run in progress as far as it got. */
export function streamStart(detail: ThreadDetail): StreamState {
  const latest = detail.messages.at(-1);
  const start = { ...initialStreamState, lastEventId: detail.lastEventId };
  if (!latest || !isBusy(latest.state)) return start;
  return {
    ...start,
    runId: latest.runId,
    runState: latest.state,
    text: latest.text,
    tokenCount: latest.tokenCount,
    parts: latest.parts,
    deltaCount: latest.deltaCount,
  };
}
