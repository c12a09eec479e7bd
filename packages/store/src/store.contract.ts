import { afterEach, describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import type { Backend } from './open-backend.ts';
import type { RunJob } from './run-queue.ts';

/** Backends that share state (same Redis, same prefix, or the same memory backend twice). */
export type MakeBackends = () => Promise<[Backend, Backend]>;

const job = (prompt: string): RunJob => ({
  runId: newId(),
  threadId: newId(),
  ownerId: 'alice',
  prompt,
  enqueuedAt: Date.now(),
});

/** What every backend's thread store and run queue must do, run against each engine. */
export function describeStoreContract(name: string, makeBackends: MakeBackends): void {
  describe(`store contract: ${name}`, () => {
    const opened: Backend[] = [];
    const open = async () => {
      const pair = await makeBackends();
      opened.push(...new Set(pair));
      return pair;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((backend) => backend.close()));
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

    it('hands out queued runs first in, first out', async () => {
      const [a, b] = await open();
      const jobs = [job('one'), job('two'), job('three')];
      for (const queued of jobs) await a.runs.enqueue(queued);
      const signal = new AbortController().signal;
      const taken = [await b.runs.take(signal), await b.runs.take(signal), await b.runs.take(signal)];
      expect(taken).toEqual(jobs);
    });

    it('gives each run to exactly one of several waiting takers', async () => {
      const [a, b] = await open();
      const controller = new AbortController();
      const takers = [a, b, a, b].map((backend) => backend.runs.take(controller.signal));
      const jobs = [job('1'), job('2'), job('3'), job('4')];
      for (const queued of jobs) await a.runs.enqueue(queued);
      const taken = await Promise.all(takers);
      expect(taken.map((t) => t?.prompt).sort()).toEqual(['1', '2', '3', '4']);
    });

    it('stops waiting when aborted and loses no run to the aborted taker', async () => {
      const [a, b] = await open();
      const controller = new AbortController();
      const waiting = b.runs.take(controller.signal);
      controller.abort();
      expect(await waiting).toBeNull();
      const queued = job('after abort');
      await a.runs.enqueue(queued);
      expect(await a.runs.take(new AbortController().signal)).toEqual(queued);
    });
  });
}
