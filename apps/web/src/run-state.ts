import type { RunState } from '@threadcast/contract';

/** A run that has not ended: it may still add to its reply, and it can be stopped. */
export function isBusy(state: RunState | 'idle'): boolean {
  return state === 'queued' || state === 'running' || state === 'waiting';
}
