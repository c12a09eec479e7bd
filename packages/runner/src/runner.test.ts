import { type EventBus, MemoryEventBus, type StoredEvent } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { foldMessageEvents } from '@threadcast/contract';
import { endRun, MemoryRunQueue, MemoryRunStore, newId, type RunJob, type RunStore } from '@threadcast/store';
import { describe, expect, it } from 'vitest';
import type { Agent, AgentChunk } from './agent.ts';
import { DemoAgent, demoReply, tokenize } from './demo-agent.ts';
import { executeRun } from './execute-run.ts';
import { RunPublisher } from './run-publisher.ts';
import { reapOrphans, runWorker } from './run-worker.ts';

const job = (prompt: string, threadId = newId()): RunJob => ({
  runId: newId(),
  threadId,
  ownerId: 'alice',
  prompt,
  enqueuedAt: 0,
});

/** A job with its run record, as `run.start` leaves them. */
async function queuedRun(runs: RunStore, prompt: string, threadId?: string): Promise<RunJob> {
  const queued = job(prompt, threadId);
  await runs.create(queued);
  return queued;
}

const neverAborted = new AbortController().signal;

describe('demo agent', () => {
  it('replies with a pure function of the prompt that mixes scripts and emoji', () => {
    expect(demoReply('hello')).toBe(demoReply('hello'));
    expect(demoReply('hello')).not.toBe(demoReply('hello!'));
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((prompt) => demoReply(prompt)).join(' ');
    expect(all).toMatch(/[éåß]/u);
    expect(all).toMatch(/\p{Script=Han}/u);
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
  });

  it('tokenizes a long reply in linear time and the same way as a short one', () => {
    const words = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    const tokens = tokenize(words);
    expect(tokens).toHaveLength(30_000);
    expect(tokens.join('')).toBe(words);
    expect(tokens[1_234]).toBe('w1234 ');
  });

  it('tokenizes without splitting emoji or losing a character', () => {
    const text = demoReply('tokens 👨‍👩‍👧 please');
    const tokens = tokenize(text);
    expect(tokens.join('')).toBe(text);
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens).toContain('👨‍👩‍👧 ');
    for (const token of tokens) expect(() => encodeURIComponent(token)).not.toThrow();
  });
});

describe('executeRun', () => {
  it('publishes running, each token, then done with the full text and count, and records the run', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const run = await queuedRun(runs, 'hi there');
    let tokensPublished = 0;
    const outcome = await executeRun(run, {
      bus,
      runs,
      agent: new DemoAgent({ tokenDelayMs: 0 }),
      logger: silentLogger,
      signal: neverAborted,
      metrics: {
        tokensPublished: (count) => {
          tokensPublished += count;
        },
      },
    });
    const events = (await bus.history(run.threadId)).map((e: StoredEvent) => e.event);
    expect(events[0]).toMatchObject({ type: 'status', content: { state: 'running', runId: run.runId } });
    const tokens = events.filter((e) => e.type === 'token').map((e) => e.content);
    expect(tokens).toEqual(tokenize(demoReply('hi there')));
    expect(events.at(-1)).toEqual({
      type: 'done',
      threadId: run.threadId,
      runId: run.runId,
      ts: expect.any(Number),
      content: {
        runId: run.runId,
        text: demoReply('hi there'),
        tokenCount: tokens.length,
        deltaCount: events.filter((e) => e.type === 'delta').length,
        usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
        model: 'demo',
        finishReason: 'stop',
      },
    });
    expect(outcome).toEqual({ state: 'done', text: demoReply('hi there'), tokenCount: tokens.length });
    expect(tokensPublished).toBe(tokens.length);
    expect(await runs.get(run.runId)).toMatchObject({
      state: 'done',
      text: demoReply('hi there'),
      tokenCount: tokens.length,
      parts: foldMessageEvents(events.flatMap((e) => (e.type === 'token' || e.type === 'delta' ? [e] : []))),
    });
  });

  it("gives the agent the thread's earlier exchanges", async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const seen: unknown[] = [];
    const echo: Agent = {
      name: 'echo',
      async *reply(request) {
        seen.push(request.messages.slice(0, -1));
        yield { type: 'token', text: `re: ${request.messages.at(-1)?.content}` };
      },
    };
    const first = await queuedRun(runs, 'first');
    await executeRun(first, { bus, runs, agent: echo, logger: silentLogger, signal: neverAborted });
    const second = await queuedRun(runs, 'second', first.threadId);
    await executeRun(second, { bus, runs, agent: echo, logger: silentLogger, signal: neverAborted });
    expect(seen[1]).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 're: first' },
    ]);
  });

  it('ends with an error event when the agent fails, keeping the tokens it sent', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const failing: Agent = {
      name: 'failing',
      async *reply(): AsyncIterable<AgentChunk> {
        yield { type: 'token', text: 'partial ' };
        throw new Error('model went away');
      },
    };
    const run = await queuedRun(runs, 'x');
    const outcome = await executeRun(run, { bus, runs, agent: failing, logger: silentLogger, signal: neverAborted });
    const events = (await bus.history(run.threadId)).map((e) => e.event);
    expect(events.map((e) => e.type)).toEqual(['status', 'delta', 'token', 'error']);
    expect(events.at(-1)?.content).toEqual({ message: 'model went away', runId: run.runId });
    expect(outcome.state).toBe('error');
    expect(await runs.get(run.runId)).toMatchObject({ state: 'error', reason: 'model went away' });
  });

  it('leaves alone a run that was cancelled before it started', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const run = await queuedRun(runs, 'never');
    await runs.transition(run.runId, 'cancelled', { reason: 'cancelled by the user' });
    const outcome = await executeRun(run, {
      bus,
      runs,
      agent: new DemoAgent({ tokenDelayMs: 0 }),
      logger: silentLogger,
      signal: neverAborted,
    });
    expect(outcome.state).toBe('skipped');
    expect(await bus.history(run.threadId)).toEqual([]);
  });

  it('stops generating at the next token once someone else ended the run, and publishes nothing after', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const run = await queuedRun(runs, 'stop me');
    let generated = 0;
    const endless: Agent = {
      name: 'endless',
      async *reply(request) {
        while (!request.signal.aborted) {
          generated += 1;
          if (generated === 5) await endRun({ bus, runs }, run, 'cancelled', { reason: 'cancelled by the user' });
          yield { type: 'token', text: `t${generated} ` };
          await new Promise((resolve) => setImmediate(resolve));
        }
      },
    };
    const outcome = await executeRun(run, {
      bus,
      runs,
      agent: endless,
      logger: silentLogger,
      signal: neverAborted,
      publishWindow: 1,
    });
    expect(outcome.state).toBe('cancelled');
    const events = (await bus.history(run.threadId)).map((e) => e.event);
    expect(events.at(-1)).toMatchObject({ type: 'status', content: { state: 'cancelled' } });
    expect(generated).toBeLessThanOrEqual(7);
  });
});

describe('runWorker', () => {
  it('streams queued runs and finishes the ones in progress when stopped', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const queue = new MemoryRunQueue();
    const stop = new AbortController();
    const worker = runWorker({
      queue,
      runs,
      bus,
      agent: new DemoAgent({ tokenDelayMs: 1 }),
      logger: silentLogger,
      concurrency: 2,
      signal: stop.signal,
    });
    const jobs = [await queuedRun(runs, 'one'), await queuedRun(runs, 'two'), await queuedRun(runs, 'three')];
    for (const queued of jobs) await queue.enqueue(queued);
    const last = jobs[2] as RunJob;
    await expect.poll(async () => (await bus.history(last.threadId)).some((e) => e.event.type === 'token')).toBe(true);
    stop.abort();
    await worker;
    for (const queued of jobs) {
      const events = await bus.history(queued.threadId);
      expect(events.at(-1)?.event).toMatchObject({ type: 'done', content: { text: demoReply(queued.prompt) } });
    }
  });

  it('ends runs whose worker stopped renewing, and queues again the ones that never started', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const queue = new MemoryRunQueue();
    const started = await queuedRun(runs, 'started');
    const waiting = await queuedRun(runs, 'waiting');
    for (const queued of [started, waiting]) await queue.enqueue(queued);
    await queue.take('dead', neverAborted);
    await queue.take('dead', neverAborted);
    await runs.transition(started.runId, 'running');
    expect(await reapOrphans({ queue, runs, bus, logger: silentLogger }, 'reaper', 0)).toBe(2);
    expect(await runs.get(started.runId)).toMatchObject({
      state: 'error',
      reason: 'the worker running it stopped responding',
    });
    expect((await bus.history(started.threadId)).at(-1)?.event).toMatchObject({ type: 'error' });
    expect((await queue.take('next', neverAborted))?.job).toEqual(waiting);
  });

  it('leaves alone a run its own process is streaming, though its renewals failed (a failover longer than the lease)', async () => {
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const queue = new MemoryRunQueue();
    const live = await queuedRun(runs, 'live');
    await queue.enqueue(live);
    const lease = await queue.take('worker-1', neverAborted);
    await runs.transition(live.runId, 'running');
    const deps = { queue, runs, bus, logger: silentLogger, isRunningHere: (runId: string) => runId === live.runId };
    expect(await reapOrphans(deps, 'worker-1', 0)).toBe(1);
    expect(await runs.get(live.runId)).toMatchObject({ state: 'running' });
    expect(await bus.history(live.threadId)).toEqual([]);
    // Its worker finishes it as usual; another process's reaper, which is not running it, still would end it.
    await lease?.renew();
    expect(await reapOrphans({ queue, runs, bus, logger: silentLogger }, 'server-reaper', 0)).toBe(1);
    expect(await runs.get(live.runId)).toMatchObject({ state: 'error' });
  });
});

describe('RunPublisher', () => {
  it('retries through failures, including lost replies, and stores each event once, in order', async () => {
    const bus = new MemoryEventBus();
    let calls = 0;
    // Every third call fails: half of those after the event was stored (a lost reply), half before.
    const flaky: EventBus = {
      history: (...args) => bus.history(...args),
      follow: (...args) => bus.follow(...args),
      subscribe: (...args) => bus.subscribe(...args),
      stats: () => bus.stats(),
      async publish(event, options) {
        calls += 1;
        if (calls % 6 === 0) {
          await bus.publish(event, options);
          throw new Error('connection reset before the reply');
        }
        if (calls % 3 === 0) throw new Error('connection refused');
        return bus.publish(event, options);
      },
    };
    const stored: string[] = [];
    const publisher = new RunPublisher({
      bus: flaky,
      logger: silentLogger,
      producer: 'r1',
      window: 8,
      onStored: (event) => stored.push(String(event.content)),
    });
    const texts = Array.from({ length: 100 }, (_, i) => `t${i}`);
    for (const content of texts) {
      publisher.push({ type: 'token', threadId: 't', ts: 1, runId: 'r1', content });
      await publisher.waitForRoom();
    }
    await publisher.flush();
    expect((await bus.history('t')).map((e) => e.event.content)).toEqual(texts);
    expect(calls).toBeGreaterThan(texts.length);
    // Told once per event, however many attempts it took.
    expect(stored).toEqual(texts);
  });

  it('gives up after its deadline and says why', async () => {
    const down: EventBus = {
      ...new MemoryEventBus(),
      history: async () => [],
      follow: () => {
        throw new Error('redis is down');
      },
      subscribe: () => ({ [Symbol.asyncIterator]: async function* () {} })[Symbol.asyncIterator](),
      stats: () => ({ subscribers: 0, channels: 0 }),
      publish: async () => {
        throw new Error('redis is down');
      },
    };
    const publisher = new RunPublisher({ bus: down, logger: silentLogger, producer: 'r', giveUpAfterMs: 50 });
    publisher.push({ type: 'token', threadId: 't', ts: 1, content: 'x' });
    await expect(publisher.flush()).rejects.toThrow('redis is down');
    expect(() => publisher.push({ type: 'token', threadId: 't', ts: 1, content: 'y' })).toThrow('redis is down');
  });
});
