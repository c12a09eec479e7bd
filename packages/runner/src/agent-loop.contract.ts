import type { EventBus } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { type DeltaPart, foldMessageEvents, type StreamEvent } from '@threadcast/contract';
import { endRun, newId, type RunJob, type RunQueue, type RunStore } from '@threadcast/store';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentChunk } from './agent.ts';
import { DemoAgent, demoReply } from './demo-agent.ts';
import { executeRun } from './execute-run.ts';
import { runWorker } from './run-worker.ts';
import { scriptedAgent } from './testing/scripted-agent.ts';
import { calculatorTool } from './tools/calculator.ts';
import { createToolRegistry, defineTool } from './tools/tool.ts';

/** The engines of one process (an `openBackend` backend is one). */
export interface LoopEngines {
  bus: EventBus;
  runs: RunStore;
  queue: RunQueue;
  close(): Promise<void>;
}

/** Two processes on the same engines (the same memory backend twice, or two Redis connections to one prefix). */
export type MakeLoopEngines = () => Promise<[LoopEngines, LoopEngines]>;

const neverAborted = new AbortController().signal;

async function queuedRun(runs: RunStore, prompt: string): Promise<RunJob> {
  const job = { runId: newId(), threadId: newId(), ownerId: 'alice', prompt, enqueuedAt: Date.now() };
  await runs.create(job);
  return job;
}

async function eventsOf(bus: EventBus, threadId: string): Promise<StreamEvent[]> {
  return (await bus.history(threadId)).map((stored) => stored.event);
}

function deltas(events: StreamEvent[]): DeltaPart[] {
  return events.flatMap((event) => (event.type === 'delta' ? [event.content] : []));
}

function fold(events: StreamEvent[]) {
  return foldMessageEvents(events.flatMap((e) => (e.type === 'token' || e.type === 'delta' ? [e] : [])));
}

/** Streams `run` with the demo agent, unpaced, in this process: as far as it goes (done, or waiting). */
const executeDemo = (engines: Pick<LoopEngines, 'bus' | 'runs'>, run: RunJob) =>
  executeRun(run, {
    ...engines,
    agent: new DemoAgent({ tokenDelayMs: 0 }),
    logger: silentLogger,
    signal: neverAborted,
  });

const call = (toolCallId: string, toolName: string, argsText: string): AgentChunk[] => [
  { type: 'tool-call-start', toolCallId, toolName },
  { type: 'tool-call-delta', toolCallId, argsTextDelta: argsText.slice(0, 5) },
  { type: 'tool-call-delta', toolCallId, argsTextDelta: argsText.slice(5) },
  { type: 'tool-call', toolCallId, toolName, argsText },
];

/** What the agent loop must do on every engine: parts, tools, limits, cancels, and pauses that outlive a worker. */
export function describeAgentLoopContract(name: string, makeEngines: MakeLoopEngines): void {
  describe(`agent loop: ${name}`, () => {
    const opened: LoopEngines[] = [];
    const open = async () => {
      const pair = await makeEngines();
      opened.push(...new Set(pair));
      return pair;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((engines) => engines.close()));
    });

    it('publishes reasoning, tool calls and their results as parts, in order, and sums usage over steps', async () => {
      const [{ bus, runs }] = await open();
      const agent = scriptedAgent((step) =>
        step === 1
          ? [
              { type: 'reasoning', text: 'Let me ' },
              { type: 'reasoning', text: 'compute.' },
              ...call('c1', 'calculator', '{"expression":"6*7"}'),
              { type: 'source', sourceId: 's1', url: 'https://example.com/maths', title: 'Maths' },
              { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 4 }, model: 'm' },
            ]
          : [
              { type: 'token', text: 'It is ' },
              { type: 'token', text: '42.' },
              { type: 'finish', finishReason: 'stop', usage: { inputTokens: 20, outputTokens: 2 }, model: 'm' },
            ],
      );
      const run = await queuedRun(runs, 'six times seven?');
      const outcome = await executeRun(run, { bus, runs, agent, logger: silentLogger, signal: neverAborted });
      expect(outcome).toEqual({ state: 'done', text: 'It is 42.', tokenCount: 2 });
      const events = await eventsOf(bus, run.threadId);
      expect(deltas(events)).toEqual([
        { type: 'start-step' },
        { type: 'reasoning-start', id: 'r1-1' },
        { type: 'reasoning-delta', id: 'r1-1', delta: 'Let me ' },
        { type: 'reasoning-delta', id: 'r1-1', delta: 'compute.' },
        { type: 'reasoning-end', id: 'r1-1' },
        { type: 'tool-input-start', toolCallId: 'c1', toolName: 'calculator' },
        { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: '{"exp' },
        { type: 'tool-input-delta', toolCallId: 'c1', inputTextDelta: 'ression":"6*7"}' },
        { type: 'tool-input-available', toolCallId: 'c1', toolName: 'calculator', input: { expression: '6*7' } },
        { type: 'source-url', sourceId: 's1', url: 'https://example.com/maths', title: 'Maths' },
        { type: 'finish-step' },
        { type: 'tool-output-available', toolCallId: 'c1', output: { expression: '6*7', result: 42 } },
        { type: 'start-step' },
        { type: 'finish-step' },
      ]);
      expect(events.map((e) => e.type)).toEqual([
        'status',
        ...Array(13).fill('delta'),
        'token',
        'token',
        'delta',
        'done',
      ]);
      expect(events.at(-1)?.content).toEqual({
        runId: run.runId,
        text: 'It is 42.',
        tokenCount: 2,
        deltaCount: 14,
        usage: { inputTokens: 30, outputTokens: 6 },
        model: 'm',
        finishReason: 'stop',
      });
      expect(agent.requests[1]?.messages.slice(-2)).toEqual([
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ toolCallId: 'c1', toolName: 'calculator', argsText: '{"expression":"6*7"}' }],
        },
        { role: 'tool', toolCallId: 'c1', toolName: 'calculator', content: '{"expression":"6*7","result":42}' },
      ]);
      expect(agent.requests[0]?.tools.map((tool) => tool.name)).toEqual(['calculator', 'clock', 'save_note']);
      const record = await runs.get(run.runId);
      expect(record).toMatchObject({ state: 'done', deltaCount: 14, usage: { inputTokens: 30, outputTokens: 6 } });
      expect(record?.parts).toEqual(fold(events));
    });

    it('tells the model when a tool throws, times out, is unknown, or gets bad arguments, and goes on', async () => {
      const [{ bus, runs }] = await open();
      const tools = createToolRegistry([
        calculatorTool,
        defineTool({
          name: 'boom',
          description: 'always fails',
          inputSchema: z.object({}),
          execute: async () => {
            throw new Error('the boom tool exploded');
          },
        }),
        defineTool({
          name: 'slow',
          description: 'never answers in time',
          inputSchema: z.object({}),
          timeoutMs: 50,
          execute: (_input, { signal }) =>
            new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        }),
      ]);
      const agent = scriptedAgent((step) =>
        step === 1
          ? [
              ...call('c1', 'boom', '{}'),
              ...call('c2', 'slow', '{}'),
              ...call('c3', 'nope', '{}'),
              ...call('c4', 'calculator', '{"expression":'),
              ...call('c5', 'calculator', '{"expr":"1"}'),
              ...call('c6', 'calculator', '{"expression":"1/0"}'),
            ]
          : [{ type: 'token', text: 'Sorry.' }],
      );
      const run = await queuedRun(runs, 'break things');
      const outcome = await executeRun(run, { bus, runs, agent, tools, logger: silentLogger, signal: neverAborted });
      expect(outcome.state).toBe('done');
      const parts = deltas(await eventsOf(bus, run.threadId));
      const errors = Object.fromEntries(
        parts.flatMap((p) =>
          p.type === 'tool-output-error' || p.type === 'tool-input-error'
            ? [[p.toolCallId, `${p.type}: ${p.errorText}`]]
            : [],
        ),
      );
      expect(errors).toEqual({
        c1: 'tool-output-error: the boom tool exploded',
        c2: 'tool-output-error: slow did not finish within 50 ms',
        c3: 'tool-input-error: unknown tool "nope"; the tools are: calculator, boom, slow',
        c4: expect.stringMatching(/^tool-input-error: the arguments of calculator are not JSON: /),
        c5: expect.stringMatching(/^tool-input-error: the arguments do not fit calculator's schema: /),
        c6: 'tool-output-error: division by zero',
      });
      const errorTexts = parts.flatMap((p) =>
        p.type === 'tool-output-error' || p.type === 'tool-input-error' ? [[p.toolCallId, p.errorText]] : [],
      );
      const toolMessages = agent.requests[1]?.messages.flatMap((m) =>
        m.role === 'tool' ? [[m.toolCallId, m.content]] : [],
      );
      expect(toolMessages).toEqual(errorTexts.sort(([a], [b]) => String(a).localeCompare(String(b))));
    });

    it('stops calling the model after the step limit and ends done with the last finish reason', async () => {
      const [{ bus, runs }] = await open();
      const agent = scriptedAgent((step) => [
        ...call(`c${step}`, 'calculator', `{"expression":"${step}+1"}`),
        { type: 'finish', finishReason: 'tool-calls' },
      ]);
      const run = await queuedRun(runs, 'loop forever');
      await executeRun(run, { bus, runs, agent, maxSteps: 3, logger: silentLogger, signal: neverAborted });
      const events = await eventsOf(bus, run.threadId);
      expect(agent.requests).toHaveLength(3);
      expect(deltas(events).filter((p) => p.type === 'start-step')).toHaveLength(3);
      expect(deltas(events).filter((p) => p.type === 'tool-output-available')).toHaveLength(3);
      expect(events.at(-1)).toMatchObject({ type: 'done', content: { finishReason: 'tool-calls' } });
    });

    it('aborts a running tool when the run is cancelled, and publishes nothing after the cancel', async () => {
      const [{ bus, runs }, other] = await open();
      let toolStarted!: () => void;
      const started = new Promise<void>((resolve) => {
        toolStarted = resolve;
      });
      let sawAbort = false;
      const tools = createToolRegistry([
        defineTool({
          name: 'wait',
          description: 'waits until aborted',
          inputSchema: z.object({}),
          timeoutMs: 600_000,
          execute: (_input, { signal }) =>
            new Promise((_resolve, reject) => {
              toolStarted();
              signal.addEventListener('abort', () => {
                sawAbort = true;
                reject(signal.reason);
              });
            }),
        }),
      ]);
      const agent = scriptedAgent(() => call('w1', 'wait', '{}'));
      const run = await queuedRun(runs, 'wait for it');
      const outcome = executeRun(run, { bus, runs, agent, tools, logger: silentLogger, signal: neverAborted });
      await started;
      await endRun(other, run, 'cancelled', { reason: 'cancelled by the user' });
      expect((await outcome).state).toBe('cancelled');
      expect(sawAbort).toBe(true);
      expect(agent.requests).toHaveLength(1);
      const events = await eventsOf(bus, run.threadId);
      expect(events.at(-1)).toMatchObject({ type: 'status', content: { state: 'cancelled' } });
    });

    for (const approved of [true, false]) {
      it(`pauses for approval with no worker, and a new worker resumes it once ${approved ? 'approved' : 'denied'}`, async () => {
        const [first, second] = await open();
        const prompt = 'please approve a note';
        const run = await queuedRun(first.runs, prompt);
        const startWorker = (engines: LoopEngines) => {
          const stop = new AbortController();
          const done = runWorker({
            ...engines,
            agent: new DemoAgent({ tokenDelayMs: 0 }),
            logger: silentLogger,
            concurrency: 1,
            signal: stop.signal,
            leaseMs: 2_000,
          });
          return { stop: () => stop.abort(), done };
        };
        const worker = startWorker(first);
        await first.queue.enqueue(run);
        await expect.poll(async () => (await second.runs.get(run.runId))?.state).toBe('waiting');
        worker.stop();
        await worker.done;
        await expect
          .poll(async () => (await eventsOf(second.bus, run.threadId)).at(-1)?.content)
          .toMatchObject({
            state: 'waiting',
          });
        const waiting = await second.runs.get(run.runId);
        expect(waiting?.awaiting).toEqual(['demo-save_note-3']);
        expect(await second.queue.depth()).toEqual({ waiting: 0, leased: 0 });

        // What run.approveTool does; a second answer loses.
        const decision = { toolCallId: 'demo-save_note-3', approved, reason: approved ? undefined : 'not now' };
        expect(await second.runs.transition(run.runId, 'queued', { decision })).toMatchObject({ state: 'queued' });
        expect(await first.runs.transition(run.runId, 'queued', { decision })).toBeNull();
        await second.queue.enqueue({ ...run, enqueuedAt: Date.now() });

        const resumed = startWorker(second);
        await expect.poll(async () => (await first.runs.get(run.runId))?.state).toBe('done');
        resumed.stop();
        await resumed.done;

        const events = await eventsOf(first.bus, run.threadId);
        const text = events.flatMap((e) => (e.type === 'token' ? [e.content] : [])).join('');
        expect(text).toBe(demoReply(prompt, { noteApproved: approved }));
        const statuses = events.flatMap((e) => (e.type === 'status' && 'runId' in e.content ? [e.content.state] : []));
        expect(statuses).toEqual(['running', 'waiting', 'running']);
        const noteParts = deltas(events).filter((p) => 'toolCallId' in p && p.toolCallId === 'demo-save_note-3');
        expect(noteParts.map((p) => p.type)).toEqual([
          'tool-input-start',
          ...Array(noteParts.length - 5).fill('tool-input-delta'),
          'tool-input-available',
          'tool-approval-request',
          'tool-approval-response',
          approved ? 'tool-output-available' : 'tool-output-denied',
        ]);
        const record = await first.runs.get(run.runId);
        expect(record?.parts).toEqual(fold(events));
        expect(record?.deltaCount).toBe(deltas(events).length);
        expect(record?.checkpoint).toBeUndefined();
        const note = record?.parts?.find((p) => p.type === 'tool' && p.toolName === 'save_note');
        expect(note).toMatchObject({ state: approved ? 'output-available' : 'output-denied' });
      });
    }

    it('ignores a stale answer (for a call answered already) and waits again for the open call', async () => {
      const [{ bus, runs }] = await open();
      const run = await queuedRun(runs, 'approve once');
      const execute = () => executeDemo({ bus, runs }, run);
      expect((await execute()).state).toBe('waiting');
      const awaited = (await runs.get(run.runId))?.awaiting;
      expect(awaited).toHaveLength(1);
      await runs.transition(run.runId, 'queued', { decision: { toolCallId: 'answered-before', approved: true } });
      expect((await execute()).state).toBe('waiting');
      expect((await runs.get(run.runId))?.awaiting).toEqual(awaited);
      await runs.transition(run.runId, 'queued', { decision: { toolCallId: awaited?.[0] ?? '', approved: true } });
      expect((await execute()).state).toBe('done');
      const events = await eventsOf(bus, run.threadId);
      expect(events.flatMap((e) => (e.type === 'token' ? [e.content] : [])).join('')).toBe(demoReply('approve once'));
      expect(deltas(events).filter((p) => p.type === 'tool-approval-response')).toHaveLength(1);
    });

    it('cancels a waiting run, and no worker takes it up again', async () => {
      const [{ bus, runs }] = await open();
      const run = await queuedRun(runs, 'approve this, then cancel');
      expect((await executeDemo({ bus, runs }, run)).state).toBe('waiting');
      expect(await endRun({ bus, runs }, run, 'cancelled', { reason: 'cancelled by the user' })).toMatchObject({
        state: 'cancelled',
      });
      expect((await eventsOf(bus, run.threadId)).at(-1)).toMatchObject({
        type: 'status',
        content: { state: 'cancelled' },
      });
      expect((await executeDemo({ bus, runs }, run)).state).toBe('skipped');
    });
  });
}
