import type { RunId, ThreadId, UserId } from '@threadcast/contract';

// Every name threadcast uses on Redis: keys, pub/sub channels and connection names. They are a wire
// protocol (other processes, the seed's producers and `pnpm tc` rely on them): a string here never changes.
// Keys carry a hash tag (`{threadId}`, `{runId}`) so that the keys of one thread or run share a cluster slot.

/** Prefix of every key unless REDIS_KEY_PREFIX says otherwise. */
export const DEFAULT_KEY_PREFIX = 'threadcast:';

/** Prefix of a thread's pub/sub channel: the seed's `thread:<threadId>`, so existing consumers still read it. */
export const THREAD_CHANNEL_PREFIX = 'thread:';

/** Every thread's channel, for `PUBSUB CHANNELS`. */
export const THREAD_CHANNEL_PATTERN = `${THREAD_CHANNEL_PREFIX}*`;

/** The pub/sub channel of a thread. */
export function threadChannel(threadId: ThreadId, channelPrefix = THREAD_CHANNEL_PREFIX): string {
  return `${channelPrefix}${threadId}`;
}

/** The seed's channels for a run's events, `agent_run:<runId>:new_response`, which the legacy bridge carries. */
export const LEGACY_CHANNEL_PATTERN = 'agent_run:*:new_response';

/** The seed's channel for the events of run `runId`. */
export function legacyRunChannel(runId: string): string {
  return `agent_run:${runId}:new_response`;
}

/** The run id in a channel of `LEGACY_CHANNEL_PATTERN` ('' if there is none). */
export function runIdOfLegacyChannel(channel: string): string {
  return channel.split(':')[1] ?? '';
}

/** The key of the lock that makes one process of the fleet the legacy bridge. */
export function legacyBridgeLockKey(keyPrefix = DEFAULT_KEY_PREFIX): string {
  return `${keyPrefix}legacy-bridge`;
}

/** The names the event bus uses for a thread. */
export interface BusKeys {
  channel(threadId: ThreadId): string;
  /** Hash of the thread's epoch, last position and producers' last sequence numbers. */
  meta(threadId: ThreadId): string;
  /** Stream of the thread's retained events. */
  log(threadId: ThreadId): string;
}

/**
 * On a cluster (`sharded`), a thread's channel is a shard channel carrying the thread's hash tag,
 * `thread:{<threadId>}`, so that the publish script's SPUBLISH stays in the slot of its keys.
 */
export function busKeys(
  keyPrefix = DEFAULT_KEY_PREFIX,
  channelPrefix = THREAD_CHANNEL_PREFIX,
  sharded = false,
): BusKeys {
  return {
    channel: sharded
      ? (threadId) => `${channelPrefix}{${threadId}}`
      : (threadId) => threadChannel(threadId, channelPrefix),
    meta: (threadId) => `${keyPrefix}thread:{${threadId}}:meta`,
    log: (threadId) => `${keyPrefix}thread:{${threadId}}:log`,
  };
}

/** Every key the stores use; a thread's keys share its hash tag with the bus's keys. */
export function storeKeys(keyPrefix = DEFAULT_KEY_PREFIX) {
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

/** Prefix of the name (`CLIENT SETNAME`) of every connection a threadcast process opens. */
export const CONNECTION_NAME_PREFIX = 'threadcast-';

/** The names of a process's connections, as `CLIENT LIST` shows them. */
export const connectionNames = {
  /** The shared command connection (bus, stores, bridge lock). */
  commands: 'threadcast-bus',
  /** The shared subscriber (every thread's channel, the legacy pattern). */
  subscriber: 'threadcast-bus-sub',
  /** A worker's blocking reads of the run queue. */
  runQueue: 'threadcast-run-queue',
  /** A bridge's own connections, when it does not share the bus's. */
  legacyLock: 'threadcast-legacy-lock',
  legacyBridge: 'threadcast-legacy-bridge',
  /** `pnpm tc`'s own connection, which it leaves out of what it lists. */
  tc: 'threadcast-tc',
} as const;
