import type { RunId, ThreadId, UserId } from '@threadcast/contract';

/** Every Redis key the store uses; a thread's keys share its hash tag with the bus's keys. */
export function storeKeys(keyPrefix: string) {
  return {
    thread: (threadId: ThreadId) => `${keyPrefix}thread:{${threadId}}:info`,
    ownerThreads: (ownerId: UserId) => `${keyPrefix}user:{${ownerId}}:threads`,
    runQueue: () => `${keyPrefix}runs:queue`,
    /** How many runs are in each state (a hash); one key for all runs, kept by create and transition-2.lua. */
    runStates: () => `${keyPrefix}runs:states`,
    run: (runId: RunId) => `${keyPrefix}run:{${runId}}`,
    threadRuns: (threadId: ThreadId) => `${keyPrefix}thread:{${threadId}}:runs`,
    /** A rate limit's attempts; `name` is built by the caller from validated ids only. */
    rate: (name: string) => `${keyPrefix}rate:{${name}}`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
