import type { RunId, RunState, ThreadId } from '@threadcast/contract';
import {
  fieldsClearedBy,
  RUN_TRANSITIONS,
  type RunEndPatch,
  type RunRecord,
  type RunStore,
  zeroRunCounts,
} from '../run-store.ts';

export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<RunId, RunRecord>();
  private readonly byThread = new Map<ThreadId, RunRecord[]>();
  private readonly counts = zeroRunCounts();

  async create(input: Pick<RunRecord, 'runId' | 'threadId' | 'ownerId' | 'prompt'>): Promise<RunRecord> {
    const now = Date.now();
    const record: RunRecord = { ...input, state: 'queued', createdAt: now, updatedAt: now };
    this.runs.set(record.runId, record);
    const runs = this.byThread.get(record.threadId) ?? [];
    runs.push(record);
    this.byThread.set(record.threadId, runs);
    this.counts.queued += 1;
    return { ...record };
  }

  async get(runId: RunId): Promise<RunRecord | null> {
    const record = this.runs.get(runId);
    return record ? structuredClone(record) : null;
  }

  async listByThread(threadId: ThreadId, options: { limit?: number } = {}): Promise<RunRecord[]> {
    return (this.byThread.get(threadId) ?? []).slice(-(options.limit ?? 100)).map((record) => structuredClone(record));
  }

  async transition(runId: RunId, to: RunState, patch: RunEndPatch = {}): Promise<RunRecord | null> {
    const record = this.runs.get(runId);
    if (!record || !RUN_TRANSITIONS[record.state].includes(to)) return null;
    this.counts[record.state] -= 1;
    this.counts[to] += 1;
    for (const field of fieldsClearedBy(to)) delete record[field];
    for (const [field, value] of Object.entries(patch)) {
      if (value !== undefined) Object.assign(record, { [field]: structuredClone(value) });
    }
    Object.assign(record, { state: to, updatedAt: Date.now() });
    return structuredClone(record);
  }

  async countByState(): Promise<Record<RunState, number>> {
    return { ...this.counts };
  }
}
