import type { ExpectedRange } from './delivery-check.ts';
import type { LoadReply } from './protocol.ts';

/** The subscriptions one load generator holds during a step. */
export interface Load {
  settle(expected: ExpectedRange[], timeoutMs: number): Promise<boolean>;
  finish(expected: ExpectedRange[], timeoutMs: number): Promise<LoadReply>;
  close(): Promise<void>;
}
