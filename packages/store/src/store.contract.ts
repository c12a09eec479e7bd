import type { MessagePart } from '@threadcast/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { RunJob, RunQueue } from './run-queue.ts';
import type { RunStore } from './run-store.ts';
import type { ThreadStore } from './thread-store.ts';

/** The stores of one engine, as a process holds them (an `openBackend` backend is one). */
export interface StoreSet {
  threads: ThreadStore;
  runs: RunStore;
  queue: RunQueue;
  limiter: RateLimiter;
  close(): Promise<void>;
}

/** Store sets that share state (same Redis, same prefix, or the same memory set twice). */
export type MakeStoreSets = () => Promise<[StoreSet, StoreSet]>;

const job = (prompt: string): RunJob => ({
  runId: newId(),
  threadId: newId(),
  ownerId: 'alice',
  prompt,
  enqueuedAt: Date.now(),
});

/** What every engine's stores (threads, runs, run queue, rate limits) must do, run against each engine. */
export function describeStoreContract(name: string, makeStoreSets: MakeStoreSets): void {
  describe(`store contract: ${name}`, () => {
    const opened: StoreSet[] = [];
    const open = async () => {
      const pair = await makeStoreSets();
      opened.push(...new Set(pair));
      return pair;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((stores) => stores.close()));
    });

    it('keeps threads per owner, newest first', async () => {
      const [a, b] = await open();
      const owner = `u${newId()}`.slice(0, 20);
      const first = await a.threads.create({ ownerId: owner, title: 'first' });
      const second = await a.threads.create({ ownerId: owner, title: 'sécond 🚀' });
      await a.threads.create({ ownerId: 'someone-else', title: 'theirs' });
      const listed = await b.threads.listByOwner(owner);
      expect(listed.map((t) => t.title)).toEqual(['sécond 🚀', 'first']);
      expect(await b.threads.get(first.threadId)).toEqual(first);
      expect(second.threadId).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(await b.threads.get('no-such-thread')).toBeNull();
      expect(await b.threads.listByOwner('nobody')).toEqual([]);
    });

    it('renames a thread for every process, and only a thread that exists', async () => {
      const [a, b] = await open();
      const owner = `u${newId()}`.slice(0, 20);
      const thread = await a.threads.create({ ownerId: owner, title: 'New thread' });
      expect(await a.threads.rename(thread.threadId, 'Renamed 🚀')).toEqual({ ...thread, title: 'Renamed 🚀' });
      expect(await b.threads.get(thread.threadId)).toEqual({ ...thread, title: 'Renamed 🚀' });
      expect((await b.threads.listByOwner(owner)).map((t) => t.title)).toEqual(['Renamed 🚀']);
      expect(await a.threads.rename('no-such-thread', 'ghost')).toBeNull();
      expect(await b.threads.get('no-such-thread')).toBeNull();
    });

    it('hands out queued runs first in, first out', async () => {
      const [a, b] = await open();
      const jobs = [job('one'), job('two'), job('three')];
      for (const queued of jobs) await a.queue.enqueue(queued);
      const signal = new AbortController().signal;
      const taken = [
        await b.queue.take('w1', signal),
        await b.queue.take('w1', signal),
        await b.queue.take('w1', signal),
      ];
      expect(taken.map((lease) => lease?.job)).toEqual(jobs);
    });

    it('gives each run to exactly one of several waiting takers', async () => {
      const [a, b] = await open();
      const controller = new AbortController();
      const takers = [a, b, a, b].map((stores, i) => stores.queue.take(`w${i}`, controller.signal));
      const jobs = [job('1'), job('2'), job('3'), job('4')];
      for (const queued of jobs) await a.queue.enqueue(queued);
      const taken = await Promise.all(takers);
      expect(taken.map((lease) => lease?.job.prompt).sort()).toEqual(['1', '2', '3', '4']);
    });

    it('stops waiting when aborted and loses no run to the aborted taker', async () => {
      const [a, b] = await open();
      const controller = new AbortController();
      const waiting = b.queue.take('w1', controller.signal);
      controller.abort();
      expect(await waiting).toBeNull();
      const queued = job('after abort');
      await a.queue.enqueue(queued);
      expect((await a.queue.take('w2', new AbortController().signal))?.job).toEqual(queued);
    });

    it('hands a job whose lease lapsed to exactly one reaper, and never a renewed or completed one', async () => {
      const [a, b] = await open();
      for (const prompt of ['lapsed', 'renewed', 'completed']) await a.queue.enqueue(job(prompt));
      const signal = new AbortController().signal;
      const lapsed = await a.queue.take('dead-worker', signal);
      const renewed = await a.queue.take('live-worker', signal);
      const completed = await a.queue.take('live-worker', signal);
      await completed?.complete();
      // The renewed lease is renewed just before each check; only a stall longer than this between the two
      // would let it lapse too (200 ms did, once, on a loaded machine). The poll waits for the lapsed one.
      const idleMs = 2_000;
      const reclaimed: string[] = [];
      await expect
        .poll(
          async () => {
            await renewed?.renew();
            for (const lease of [
              ...(await a.queue.reclaimAbandoned('reaper-a', idleMs)),
              ...(await b.queue.reclaimAbandoned('reaper-b', idleMs)),
            ]) {
              reclaimed.push(lease.job.prompt);
            }
            return reclaimed.length;
          },
          { interval: 20 },
        )
        .toBeGreaterThan(0);
      expect(reclaimed).toEqual(['lapsed']);
      expect(lapsed?.job.prompt).toBe('lapsed');
    });

    it('moves runs only along their lifecycle, once to an end', async () => {
      const [a, b] = await open();
      const threadId = newId();
      const run = await a.runs.create({ runId: newId(), threadId, ownerId: 'alice', prompt: 'héllo' });
      expect(run).toMatchObject({ state: 'queued', prompt: 'héllo' });
      expect(await b.runs.transition(run.runId, 'done')).toBeNull();
      expect(await b.runs.transition(run.runId, 'running')).toMatchObject({ state: 'running' });
      const ends = await Promise.all([
        a.runs.transition(run.runId, 'done', { text: 'the reply' }),
        b.runs.transition(run.runId, 'cancelled', { reason: 'cancelled by the user' }),
        a.runs.transition(run.runId, 'error', { reason: 'worker died' }),
      ]);
      const winners = ends.filter((end) => end !== null);
      expect(winners).toHaveLength(1);
      expect(await b.runs.get(run.runId)).toEqual(winners[0]);
      expect(await a.runs.transition(run.runId, 'running')).toBeNull();
      expect(await a.runs.transition('unknown-run', 'running')).toBeNull();
      const second = await a.runs.create({ runId: newId(), threadId, ownerId: 'alice', prompt: 'again' });
      expect((await b.runs.listByThread(threadId)).map((r) => r.runId)).toEqual([run.runId, second.runId]);
    });
    it('pauses a run with its checkpoint, and resumes it with the one answer that won', async () => {
      const [a, b] = await open();
      const run = await a.runs.create({ runId: newId(), threadId: newId(), ownerId: 'alice', prompt: 'p' });
      await a.runs.transition(run.runId, 'running');
      const checkpoint = JSON.stringify({ step: 2, note: 'opaque to the store: ✓' });
      const waiting = await b.runs.transition(run.runId, 'waiting', { awaiting: ['call-1', 'call-2'], checkpoint });
      expect(waiting).toMatchObject({ state: 'waiting', awaiting: ['call-1', 'call-2'], checkpoint });
      expect(await a.runs.get(run.runId)).toEqual(waiting);

      const answers = await Promise.all([
        a.runs.transition(run.runId, 'queued', { decision: { toolCallId: 'call-1', approved: true } }),
        b.runs.transition(run.runId, 'queued', {
          decision: { toolCallId: 'call-1', approved: false, reason: 'not now' },
        }),
      ]);
      const winners = answers.filter((answer) => answer !== null);
      expect(winners).toHaveLength(1);
      const resumed = await b.runs.transition(run.runId, 'running');
      expect(resumed).toMatchObject({ state: 'running', checkpoint, decision: winners[0]?.decision });
      expect(
        await a.runs.transition(run.runId, 'queued', { decision: { toolCallId: 'x', approved: true } }),
      ).toBeNull();

      // A second pause replaces the checkpoint and forgets the answer to the first.
      const again = await a.runs.transition(run.runId, 'waiting', { awaiting: ['call-2'], checkpoint: '{"step":3}' });
      expect(again).toMatchObject({ awaiting: ['call-2'], checkpoint: '{"step":3}' });
      expect(again?.decision).toBeUndefined();
    });

    it('keeps the parts, usage and finish of a finished run, and forgets its pause', async () => {
      const [a, b] = await open();
      const run = await a.runs.create({ runId: newId(), threadId: newId(), ownerId: 'alice', prompt: 'p' });
      await a.runs.transition(run.runId, 'running');
      await a.runs.transition(run.runId, 'waiting', { awaiting: ['c1'], checkpoint: '{}' });
      await b.runs.transition(run.runId, 'queued', { decision: { toolCallId: 'c1', approved: true } });
      await a.runs.transition(run.runId, 'running');
      const parts: MessagePart[] = [
        { type: 'step-start', index: 1, state: 'done' },
        { type: 'reasoning', id: 'r1', text: 'hmm…', state: 'done', startedAt: 1, endedAt: 2 },
        {
          type: 'tool',
          toolCallId: 'c1',
          toolName: 'calculator',
          state: 'output-available',
          inputText: '{"expression":"1+1"}',
          input: { expression: '1+1' },
          output: { result: 2 },
        },
        { type: 'text', text: 'Two 🚀' },
      ];
      const patch = {
        text: 'Two 🚀',
        tokenCount: 2,
        parts,
        deltaCount: 9,
        usage: { inputTokens: 12, outputTokens: 5 },
        model: 'demo',
        finishReason: 'stop',
      } as const;
      const done = await b.runs.transition(run.runId, 'done', patch);
      const expected = { state: 'done', ...patch };
      expect(done).toMatchObject(expected);
      const stored = await a.runs.get(run.runId);
      expect(stored).toMatchObject(expected);
      expect(stored).toEqual(done);
      for (const field of ['awaiting', 'checkpoint', 'decision'] as const) expect(stored?.[field]).toBeUndefined();
    });

    it('cancels a waiting run, and then nobody can answer it', async () => {
      const [a, b] = await open();
      const run = await a.runs.create({ runId: newId(), threadId: newId(), ownerId: 'alice', prompt: 'p' });
      await a.runs.transition(run.runId, 'running');
      await a.runs.transition(run.runId, 'waiting', { awaiting: ['c1'], checkpoint: '{}' });
      expect(await b.runs.transition(run.runId, 'running')).toBeNull();
      const cancelled = await b.runs.transition(run.runId, 'cancelled', { reason: 'cancelled by the user' });
      expect(cancelled).toMatchObject({ state: 'cancelled', reason: 'cancelled by the user' });
      expect(cancelled?.checkpoint).toBeUndefined();
      expect(
        await a.runs.transition(run.runId, 'queued', { decision: { toolCallId: 'c1', approved: true } }),
      ).toBeNull();
    });

    it('counts runs in each state as they move, in one read', async () => {
      const [a, b] = await open();
      const before = await b.runs.countByState();
      const create = () => a.runs.create({ runId: newId(), threadId: newId(), ownerId: 'alice', prompt: 'p' });
      const [finished, failed, waiting] = await Promise.all([create(), create(), create()]);
      await a.runs.transition(finished.runId, 'running');
      await b.runs.transition(finished.runId, 'done', { text: 't', tokenCount: 1 });
      await b.runs.transition(failed.runId, 'error', { reason: 'r' });
      // A refused move changes nothing.
      expect(await a.runs.transition(failed.runId, 'running')).toBeNull();
      expect(waiting.state).toBe('queued');
      const after = await b.runs.countByState();
      const moved = Object.fromEntries(
        Object.entries(after).map(([state, count]) => [state, count - before[state as keyof typeof before]]),
      );
      expect(moved).toEqual({ queued: 1, running: 0, waiting: 0, done: 1, error: 1, cancelled: 0 });
    });

    it('tells how many jobs wait and how many are leased', async () => {
      const [a, b] = await open();
      expect(await a.queue.depth()).toEqual({ waiting: 0, leased: 0 });
      for (const prompt of ['one', 'two', 'three']) await a.queue.enqueue(job(prompt));
      expect(await b.queue.depth()).toEqual({ waiting: 3, leased: 0 });
      const signal = new AbortController().signal;
      const first = await b.queue.take('w1', signal);
      await a.queue.take('w2', signal);
      expect(await a.queue.depth()).toEqual({ waiting: 1, leased: 2 });
      await first?.complete();
      expect(await b.queue.depth()).toEqual({ waiting: 1, leased: 1 });
    });

    it('shares a sliding-window rate limit among processes, counting only allowed attempts', async () => {
      const [a, b] = await open();
      const key = `run.start:${newId()}`;
      const decisions = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).limiter.attempt(key, 5, 60_000)),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      for (const refused of decisions.filter((d) => !d.allowed)) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      }
      expect((await a.limiter.attempt(`run.start:${newId()}`, 5, 60_000)).allowed).toBe(true);

      // A window longer than any stall of a loaded machine between the first two attempts; the poll waits it out.
      const short = `short:${newId()}`;
      const windowMs = 2_000;
      expect((await a.limiter.attempt(short, 1, windowMs)).allowed).toBe(true);
      expect((await b.limiter.attempt(short, 1, windowMs)).allowed).toBe(false);
      await expect.poll(async () => (await b.limiter.attempt(short, 1, windowMs)).allowed, { interval: 50 }).toBe(true);
      await expect(a.limiter.attempt(short, 0, windowMs)).rejects.toThrow(RangeError);
    });
  });
}
