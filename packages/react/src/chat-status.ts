import type { RunState } from '@threadcast/contract';

/**
 * Where a thread's conversation stands, in the words of the AI SDK's `useChat`: `submitted` once a prompt is sent
 * and until its run starts, `streaming` while the reply arrives, `waiting` while a tool waits for the user's
 * approval, `error` until `clearError()` or the next `send`, and `ready` otherwise.
 */
export type ChatStatus = 'ready' | 'submitted' | 'streaming' | 'waiting' | 'error';

export function chatStatus(state: { hasError: boolean; sending: boolean; runState: RunState | 'idle' }): ChatStatus {
  if (state.hasError) return 'error';
  if (state.sending) return 'submitted';
  switch (state.runState) {
    case 'queued':
      return 'submitted';
    case 'running':
      return 'streaming';
    case 'waiting':
      return 'waiting';
    default:
      return 'ready';
  }
}
