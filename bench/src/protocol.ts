import type { ExpectedRange } from './delivery-check.ts';

/** Messages between the orchestrator and a load generator child (over the Node IPC channel). */

export interface SseTarget {
  kind: 'sse';
  /** Server origin, e.g. `http://127.0.0.1:4000`; streams are `GET /trpc/thread.onEvent?input=…`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; null for servers without auth (the baselines). */
  token: string | null;
}

/** The Redis floor: one bare ioredis subscriber on the threads' channels, no HTTP at all. */
export interface RedisTarget {
  kind: 'redis';
  redisUrl: string;
}

export interface StreamSpec {
  threadId: string;
  /** Resume point: the thread's last id before this step, so a stream never starts inside the step. */
  lastEventId: string | null;
}

export type LoadCommand =
  | { type: 'open'; target: SseTarget | RedisTarget; streams: StreamSpec[]; concurrency: number; timeoutMs: number }
  /** Wait until every stream has its thread's `last` id (a warm-up event), then count afresh from there. */
  | { type: 'settle'; expected: ExpectedRange[]; timeoutMs: number }
  | { type: 'finish'; expected: ExpectedRange[]; timeoutMs: number }
  | { type: 'close' };

export interface LoadTotals {
  streams: number;
  received: number;
  missed: number;
  duplicates: number;
  outOfOrder: number;
  foreign: number;
  /** Streams that failed to open, got an error frame, or were closed by the server (never reconnected). */
  errors: number;
  heartbeats: number;
  /** `status` `reset` notices: a stream was told its history was trimmed or lost past its position. */
  resets: number;
  errorSamples: string[];
}

export type LoadReply =
  | { type: 'ready' }
  | { type: 'opened'; opened: number; failed: number; errorSamples: string[] }
  | { type: 'settled'; caughtUp: boolean }
  | {
      type: 'finished';
      totals: LoadTotals;
      /** Every live stream reached its thread's last expected id before the timeout. */
      caughtUp: boolean;
      /** Epoch ms of the last event received (0 if none). */
      lastReceiveAt: number;
      histogram: string;
      /** CPU seconds this load generator used between `opened` and `finished`. */
      cpuSeconds: number;
    }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
