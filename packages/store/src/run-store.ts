import type { FinishReason, MessagePart, RunId, RunState, ThreadId, Usage, UserId } from '@threadcast/contract';

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
  /** The reply as parts and its number of delta events, once `done` (or as far as it got when it ended otherwise). */
  parts?: MessagePart[];
  deltaCount?: number;
  /** What the provider reported, once `done`. */
  usage?: Usage;
  model?: string;
  finishReason?: FinishReason;
  /** While `waiting`: the tool calls that wait for the owner's approval. */
  awaiting?: string[];
  /** While `waiting`: what the worker needs to go on (its own format). */
  checkpoint?: string;
  /** The owner's answer to a tool that waited, set as the run is queued again; the worker that resumes it reads it. */
  decision?: ToolDecision;
}

export interface ToolDecision {
  toolCallId: string;
  approved: boolean;
  reason?: string;
}

/** Which states a run may move to from each state; the ended ones (`done`, `error`, `cancelled`) are final. */
export const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  queued: ['running', 'cancelled', 'error'],
  running: ['waiting', 'done', 'error', 'cancelled'],
  // Back to `queued` when the owner answers: a worker takes it up again from its checkpoint.
  waiting: ['queued', 'cancelled', 'error'],
  done: [],
  error: [],
  cancelled: [],
};

export function isEnded(state: RunState): boolean {
  return RUN_TRANSITIONS[state].length === 0;
}

/**
 * Fields a transition may set with the state. A field given is stored, one left out keeps its value, with two
 * exceptions so that nothing of a pause outlives it: moving to `waiting` clears the last `decision` (the
 * next answer is to this pause), and ending a run clears `awaiting`, `checkpoint` and `decision`. A worker
 * that resumes reads the checkpoint and decision from the record `transition(…, 'running')` returns.
 */
export type RunEndPatch = Pick<
  RunRecord,
  | 'reason'
  | 'text'
  | 'tokenCount'
  | 'parts'
  | 'deltaCount'
  | 'usage'
  | 'model'
  | 'finishReason'
  | 'awaiting'
  | 'checkpoint'
  | 'decision'
>;

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

/** The fields `transition` clears when it moves a run to `to` (see `RunEndPatch`). */
export function fieldsClearedBy(to: RunState): (keyof RunEndPatch)[] {
  if (isEnded(to)) return ['awaiting', 'checkpoint', 'decision'];
  return to === 'waiting' ? ['decision'] : [];
}

export function zeroRunCounts(): Record<RunState, number> {
  return { queued: 0, running: 0, waiting: 0, done: 0, error: 0, cancelled: 0 };
}
