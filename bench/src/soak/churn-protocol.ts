/** Messages between the soak's orchestrator and its stream churn child (over the Node IPC channel). */

export interface ChurnPlan {
  /** Server origin, e.g. `http://127.0.0.1:4000`. */
  baseUrl: string;
  token: string;
  threadIds: string[];
  /** Streams kept open at any time. */
  streams: number;
  /** Each stream lives a uniformly random time in this range, then closes and is replaced at once. */
  minLifeMs: number;
  maxLifeMs: number;
  /** Streams opened per 100 ms while ramping up to `streams`. */
  rampPer100Ms: number;
}

/** What the churn did since the previous report (counters) and now (gauges). */
export interface ChurnReport {
  /** Streams open now (connected or connecting). */
  open: number;
  /** Of those, streams the server has answered (`connected`). */
  connected: number;
  opened: number;
  closed: number;
  received: number;
  /** Ids skipped, repeated or out of order within one stream's life: each must be 0. */
  missed: number;
  duplicates: number;
  outOfOrder: number;
  /** Streams the server ended or refused, or whose socket failed: each must be 0. */
  errors: number;
  errorSamples: string[];
  /** Delivery latency (now − the event's `ts`) over the interval, ms. */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
}

export type ChurnCommand = { type: 'start'; plan: ChurnPlan } | { type: 'report' } | { type: 'stop' };

export type ChurnReply =
  | { type: 'ready' }
  | { type: 'report'; report: ChurnReport }
  | { type: 'stopped'; report: ChurnReport }
  | { type: 'failed'; message: string };
