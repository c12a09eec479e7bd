import type { RunState, Usage } from '@threadcast/contract';

/**
 * What threadcast puts on an assistant message's `metadata`: how its run ended and what the provider reported.
 * The transport sends it with `finish` (or `message-metadata` before `abort` and `error`);
 * `threadMessagesToUIMessages` sets the same fields from `thread.get`.
 */
export interface ThreadcastMessageMetadata {
  runState?: RunState;
  /** Why the run was cancelled or failed. */
  reason?: string;
  usage?: Usage;
  model?: string;
}
