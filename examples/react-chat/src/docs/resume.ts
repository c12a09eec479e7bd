import { applyStreamEvent, initialStreamState, type StreamingClient, type StreamState } from '@threadcast/client';

/**
 * Follows a thread's latest run to its end, carrying on from `saved` (a state kept by an earlier process, or
 * none): the stream resumes after its `lastEventId`, and an event already applied changes nothing.
 */
export async function followRun(
  client: StreamingClient,
  threadId: string,
  saved: StreamState = initialStreamState,
  onChange: (state: StreamState) => void = () => {},
): Promise<StreamState> {
  let state = saved;
  for await (const { id, event } of client.events(threadId, { lastEventId: state.lastEventId })) {
    const next = applyStreamEvent(state, id, event);
    if (next === state) continue; // At or before lastEventId: seen already.
    state = next;
    onChange(state); // e.g. save it, to resume from here after a restart
    if (state.runState === 'done' || state.runState === 'error' || state.runState === 'cancelled') break;
  }
  return state;
}
