import { readFileSync } from 'node:fs';
import { isCluster, type RedisClient } from '@threadcast/bus/redis';
import type { StoreKeys } from '@threadcast/bus/redis-names';
import {
  finishReasonSchema,
  messagePartSchema,
  type RunId,
  type RunState,
  runStateSchema,
  runStates,
  type ThreadId,
  usageSchema,
} from '@threadcast/contract';
import { z } from 'zod';
import {
  fieldsClearedBy,
  RUN_TRANSITIONS,
  type RunEndPatch,
  type RunRecord,
  type RunStore,
  zeroRunCounts,
} from '../run-store.ts';

const TRANSITION_SCRIPT = readFileSync(new URL('./transition-2.lua', import.meta.url), 'utf8');

type TransitioningRedis = RedisClient & {
  threadcastTransition(
    runKey: string,
    statesKey: string,
    to: string,
    from: string,
    now: number,
    clear: string,
    ...fieldsAndValues: string[]
  ): Promise<string | 0>;
  /** The same script on a cluster, where the counts live in another slot: it returns the state left. */
  threadcastTransitionOne(
    runKey: string,
    to: string,
    from: string,
    now: number,
    clear: string,
    ...fieldsAndValues: string[]
  ): Promise<string | 0>;
};

/**
 * Each run is a hash; each thread keeps a sorted set of its run ids by creation time, and one hash counts
 * the runs in each state (runs created before that hash existed are not in it: counts are floored at 0).
 */
export class RedisRunStore implements RunStore {
  private readonly redis: TransitioningRedis;

  constructor(
    redis: RedisClient,
    private readonly keys: StoreKeys,
  ) {
    this.redis = redis as TransitioningRedis;
    if (!('threadcastTransition' in redis)) {
      redis.defineCommand('threadcastTransition', { numberOfKeys: 2, lua: TRANSITION_SCRIPT });
      redis.defineCommand('threadcastTransitionOne', { numberOfKeys: 1, lua: TRANSITION_SCRIPT });
    }
  }

  async create(input: Pick<RunRecord, 'runId' | 'threadId' | 'ownerId' | 'prompt'>): Promise<RunRecord> {
    const now = Date.now();
    const record: RunRecord = { ...input, state: 'queued', createdAt: now, updatedAt: now };
    const fields = {
      threadId: record.threadId,
      ownerId: record.ownerId,
      prompt: record.prompt,
      state: record.state,
      createdAt: String(now),
      updatedAt: String(now),
    };
    if (isCluster(this.redis)) {
      // Three slots: the run first, so a run listed on its thread always resolves; the count is for metrics.
      await this.redis.hset(this.keys.run(record.runId), fields);
      await this.redis.zadd(this.keys.threadRuns(record.threadId), now, record.runId);
      await this.redis.hincrby(this.keys.runStates(), 'queued', 1);
      return record;
    }
    await this.redis
      .multi()
      .hset(this.keys.run(record.runId), fields)
      .zadd(this.keys.threadRuns(record.threadId), now, record.runId)
      .hincrby(this.keys.runStates(), 'queued', 1)
      .exec();
    return record;
  }

  async get(runId: RunId): Promise<RunRecord | null> {
    return toRecord(runId, await this.redis.hgetall(this.keys.run(runId)));
  }

  async listByThread(threadId: ThreadId, options: { limit?: number } = {}): Promise<RunRecord[]> {
    const ids = await this.redis.zrange(this.keys.threadRuns(threadId), String(-(options.limit ?? 100)), '-1');
    if (ids.length === 0) return [];
    const hashes = await this.readRuns(ids);
    return ids.flatMap((runId, i) => {
      const record = toRecord(runId, hashes[i]);
      return record ? [record] : [];
    });
  }

  async transition(runId: RunId, to: RunState, patch: RunEndPatch = {}): Promise<RunRecord | null> {
    const from = Object.entries(RUN_TRANSITIONS)
      .filter(([, targets]) => targets.includes(to))
      .map(([state]) => state);
    const args = [to, `,${from.join(',')},`, Date.now(), fieldsClearedBy(to).join(','), ...encodePatch(patch)] as const;
    if (isCluster(this.redis)) {
      const left = await this.redis.threadcastTransitionOne(this.keys.run(runId), ...args);
      if (left === 0) return null;
      await this.redis.multi().hincrby(this.keys.runStates(), left, -1).hincrby(this.keys.runStates(), to, 1).exec();
      return this.get(runId);
    }
    const moved = await this.redis.threadcastTransition(this.keys.run(runId), this.keys.runStates(), ...args);
    return moved === 0 ? null : this.get(runId);
  }

  /** The runs' hashes: one pipeline on one Redis; on a cluster, where each run has its own slot, in parallel. */
  private async readRuns(ids: RunId[]): Promise<(Record<string, string> | undefined)[]> {
    if (isCluster(this.redis)) return Promise.all(ids.map((runId) => this.redis.hgetall(this.keys.run(runId))));
    const pipeline = this.redis.pipeline();
    for (const runId of ids) pipeline.hgetall(this.keys.run(runId));
    const results = (await pipeline.exec()) ?? [];
    return ids.map((_, i) => results[i]?.[1] as Record<string, string> | undefined);
  }

  async countByState(): Promise<Record<RunState, number>> {
    const fields = await this.redis.hgetall(this.keys.runStates());
    const counts = zeroRunCounts();
    for (const state of runStates) counts[state] = Math.max(0, Number(fields[state] ?? 0) || 0);
    return counts;
  }
}

/** Every patch field as hash field and value: numbers as text, structured fields as JSON. */
function encodePatch(patch: RunEndPatch): string[] {
  const encoded: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    encoded.push(field, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return encoded;
}

function toRecord(runId: RunId, fields: Record<string, string> | undefined): RunRecord | null {
  const state = runStateSchema.safeParse(fields?.state);
  if (!fields?.threadId || !fields.ownerId || !state.success) return null;
  return {
    runId,
    threadId: fields.threadId,
    ownerId: fields.ownerId,
    prompt: fields.prompt ?? '',
    state: state.data,
    createdAt: Number(fields.createdAt),
    updatedAt: Number(fields.updatedAt),
    ...(fields.reason ? { reason: fields.reason } : {}),
    ...(fields.text !== undefined ? { text: fields.text } : {}),
    ...(fields.tokenCount !== undefined ? { tokenCount: Number(fields.tokenCount) } : {}),
    ...decoded(fields, 'parts', z.array(messagePartSchema)),
    ...decoded(fields, 'deltaCount', z.number()),
    ...decoded(fields, 'usage', usageSchema),
    ...(fields.model !== undefined ? { model: fields.model } : {}),
    ...decodedText(fields, 'finishReason', finishReasonSchema),
    ...decoded(fields, 'awaiting', z.array(z.string())),
    ...(fields.checkpoint !== undefined ? { checkpoint: fields.checkpoint } : {}),
    ...decoded(fields, 'decision', toolDecisionSchema),
  };
}

const toolDecisionSchema = z.object({ toolCallId: z.string(), approved: z.boolean(), reason: z.string().optional() });

/** A JSON field as `{ [field]: value }`, or nothing when it is missing or not what it should be. */
function decoded<Field extends string, T>(
  fields: Record<string, string>,
  field: Field,
  schema: z.ZodType<T>,
): { [K in Field]?: T } {
  const text = fields[field];
  if (text === undefined) return {};
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? ({ [field]: parsed.data } as { [K in Field]?: T }) : {};
  } catch {
    return {};
  }
}

function decodedText<Field extends string, T>(
  fields: Record<string, string>,
  field: Field,
  schema: z.ZodType<T>,
): { [K in Field]?: T } {
  const parsed = schema.safeParse(fields[field]);
  return parsed.success ? ({ [field]: parsed.data } as { [K in Field]?: T }) : {};
}
