import { type EventBus, MemoryEventBus, type StoredEvent, silentLogger } from '@threadcast/bus';
import { MemoryRunQueue, newId, type RunJob } from '@threadcast/store';
import { describe, expect, it } from 'vitest';
import type { Agent, AgentChunk } from './agent.ts';
import { DemoAgent, demoReply, tokenize } from './demo-agent.ts';
import { executeRun } from './execute-run.ts';
import { createReliablePublisher } from './reliable-publish.ts';
import { runWorker } from './run-worker.ts';

const job = (prompt: string): RunJob => ({
  runId: newId(),
  threadId: newId(),
  ownerId: 'alice',
  prompt,
  enqueuedAt: 0,
});

describe('demo agent', () => {
  it('replies with a pure function of the prompt that mixes scripts and emoji', () => {
    expect(demoReply('hello')).toBe(demoReply('hello'));
    expect(demoReply('hello')).not.toBe(demoReply('hello!'));
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(demoReply).join(' ');
    expect(all).toMatch(/[éåß]/u);
    expect(all).toMatch(/\p{Script=Han}/u);
    expect(all).toMatch(/\p{Extended_Pictographic}/u);
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
  it('publishes running, each token, then done with the full text and count', async () => {
    const bus = new MemoryEventBus();
    const run = job('hi there');
    const outcome = await executeRun(run, {
      bus,
      agent: new DemoAgent({ tokenDelayMs: 0 }),
      logger: silentLogger,
      signal: new AbortController().signal,
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
      content: { runId: run.runId, text: demoReply('hi there'), tokenCount: tokens.length },
    });
    expect(outcome).toEqual({ state: 'done', text: demoReply('hi there'), tokenCount: tokens.length });
  });

  it('ends with an error event when the agent fails, keeping the tokens it sent', async () => {
    const bus = new MemoryEventBus();
    const failing: Agent = {
      name: 'failing',
      async *reply(): AsyncIterable<AgentChunk> {
        yield { type: 'token', text: 'partial ' };
        throw new Error('model went away');
      },
    };
    const run = job('x');
    const outcome = await executeRun(run, {
      bus,
      agent: failing,
      logger: silentLogger,
      signal: new AbortController().signal,
    });
    const events = (await bus.history(run.threadId)).map((e) => e.event);
    expect(events.map((e) => e.type)).toEqual(['status', 'token', 'error']);
    expect(events.at(-1)?.content).toEqual({ message: 'model went away', runId: run.runId });
    expect(outcome.state).toBe('error');
  });
});

describe('runWorker', () => {
  it('streams queued runs and finishes the ones in progress when stopped', async () => {
    const bus = new MemoryEventBus();
    const queue = new MemoryRunQueue();
    const stop = new AbortController();
    const worker = runWorker({
      queue,
      bus,
      agent: new DemoAgent({ tokenDelayMs: 1 }),
      logger: silentLogger,
      concurrency: 2,
      signal: stop.signal,
    });
    const runs = [job('one'), job('two'), job('three')];
    for (const run of runs) await queue.enqueue(run);
    const last = runs[2] as RunJob;
    await expect
      .poll(async () => (await bus.history(last.threadId)).some((e) => e.event.type === 'token'), { timeout: 5_000 })
      .toBe(true);
    stop.abort();
    await worker;
    for (const run of runs) {
      const events = await bus.history(run.threadId);
      expect(events.at(-1)?.event).toMatchObject({ type: 'done', content: { text: demoReply(run.prompt) } });
    }
  });
});

describe('createReliablePublisher', () => {
  it('retries through failures, including lost replies, and stores each event once', async () => {
    const bus = new MemoryEventBus();
    let calls = 0;
    // Every third call fails: half of those after the event was stored (a lost reply), half before.
    const flaky: EventBus = {
      ...bus,
      history: (...args) => bus.history(...args),
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
    const run = job('flaky');
    const outcome = await executeRun(run, {
      bus: flaky,
      agent: new DemoAgent({ tokenDelayMs: 0 }),
      logger: silentLogger,
      signal: new AbortController().signal,
    });
    const events = (await bus.history(run.threadId)).map((e) => e.event);
    const tokens = events.filter((e) => e.type === 'token').map((e) => e.content);
    expect(tokens.join('')).toBe(demoReply('flaky'));
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      content: { text: demoReply('flaky'), tokenCount: tokens.length },
    });
    expect(outcome.state).toBe('done');
    expect(calls).toBeGreaterThan(events.length);
  });

  it('gives up after its deadline and says why', async () => {
    const down: EventBus = {
      ...new MemoryEventBus(),
      publish: async () => {
        throw new Error('redis is down');
      },
    } as unknown as EventBus;
    const publish = createReliablePublisher({ bus: down, logger: silentLogger, producer: 'r', giveUpAfterMs: 50 });
    await expect(publish({ type: 'token', threadId: 't', ts: 1, content: 'x' })).rejects.toThrow('redis is down');
  });
});
