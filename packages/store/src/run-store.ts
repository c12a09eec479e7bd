import type { RunId, RunState, ThreadId, UserId } from '@threadcast/contract';

export interface RunRecord {
  runId: RunId;
  threadId: ThreadId;
  ownerId: UserId;
  prompt: string;
  state: RunState;
  createdAt: number;
  updatedAt: number;
  /** Why it ended `error` or `cancelled`. */
  reason?: string;
  /** The full reply and its number of tokens, once `done`. */
  text?: string;
  tokenCount?: number;
}

/** Which states a run may move to from each state; the ended ones (`done`, `error`, `cancelled`) are final. */
export const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  queued: ['running', 'cancelled', 'error'],
  running: ['done', 'error', 'cancelled'],
  done: [],
  error: [],
  cancelled: [],
};

export function isEnded(state: RunState): boolean {
  return RUN_TRANSITIONS[state].length === 0;
}

export type RunEndPatch = Pick<RunRecord, 'reason' | 'text' | 'tokenCount'>;

/** The runs of every thread and their lifecycle. */
export interface RunStore {
  create(input: Pick<RunRecord, 'runId' | 'threadId' | 'ownerId' | 'prompt'>): Promise<RunRecord>;
  get(runId: RunId): Promise<RunRecord | null>;
  /** A thread's runs, oldest first (the newest `limit`, default 100). */
  listByThread(threadId: ThreadId, options?: { limit?: number }): Promise<RunRecord[]>;
  /**
   * Moves a run to `to` if `RUN_TRANSITIONS` allows it from its current state, atomically, so of two
   * racing enders (a worker finishing, a cancel, the reaper) exactly one wins. `null` when not allowed.
   */
  transition(runId: RunId, to: RunState, patch?: RunEndPatch): Promise<RunRecord | null>;
  /** How many runs are in each state, kept as runs move (one read, whatever the number of runs). */
  countByState(): Promise<Record<RunState, number>>;
}

export function zeroRunCounts(): Record<RunState, number> {
  return { queued: 0, running: 0, done: 0, error: 0, cancelled: 0 };
}
