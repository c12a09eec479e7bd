import { MemoryEventBus } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { foldMessageEvents, type MessageEvent, type StreamEvent } from '@threadcast/contract';
import { MemoryRunStore, newId, type RunJob, type RunStore } from '@threadcast/store';
import { isStepCount, streamText, tool, type UIMessageChunk } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executeUIMessageStreamRun, type UIMessageStreamSource } from './execute-ui-message-stream-run.ts';

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

type StreamPart =
  Awaited<ReturnType<MockLanguageModelV4['doStream']>>['stream'] extends ReadableStream<infer Part> ? Part : never;

/** A model that reasons and calls `weather` in its first call, and answers with a source in its second. */
function weatherModel(): MockLanguageModelV4 {
  let calls = 0;
  return new MockLanguageModelV4({
    doStream: async () => {
      calls += 1;
      const parts: StreamPart[] =
        calls === 1
          ? [
              { type: 'stream-start', warnings: [] },
              { type: 'reasoning-start', id: 'rs' },
              { type: 'reasoning-delta', id: 'rs', delta: 'Look it up.' },
              { type: 'reasoning-end', id: 'rs' },
              { type: 'tool-input-start', id: 'c1', toolName: 'weather' },
              { type: 'tool-input-delta', id: 'c1', delta: '{"city":' },
              { type: 'tool-input-delta', id: 'c1', delta: '"Oslo"}' },
              { type: 'tool-input-end', id: 'c1' },
              { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
              {
                type: 'finish',
                finishReason: { unified: 'tool-calls', raw: undefined },
                usage: usage(10, 5),
              },
            ]
          : [
              { type: 'stream-start', warnings: [] },
              { type: 'text-start', id: 't' },
              { type: 'text-delta', id: 't', delta: 'It is ' },
              { type: 'text-delta', id: 't', delta: '3 °C in Oslo.' },
              { type: 'text-end', id: 't' },
              {
                type: 'source',
                sourceType: 'url',
                id: 'src',
                url: 'https://example.com/oslo',
                title: 'Oslo weather',
              },
              { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(20, 7) },
            ];
      return { stream: convertArrayToReadableStream(parts) };
    },
  });
}

const weatherStream: UIMessageStreamSource = (job, signal) =>
  streamText({
    model: weatherModel(),
    prompt: job.prompt,
    abortSignal: signal,
    stopWhen: isStepCount(3),
    tools: {
      weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, c: 3 }) }),
    },
  }).toUIMessageStream({
    sendReasoning: true,
    sendSources: true,
    messageMetadata: ({ part }) =>
      part.type === 'finish'
        ? {
            usage: { inputTokens: part.totalUsage.inputTokens ?? 0, outputTokens: part.totalUsage.outputTokens ?? 0 },
            model: 'mock',
          }
        : undefined,
  });

async function queuedRun(runs: RunStore, prompt: string): Promise<RunJob> {
  const job: RunJob = { runId: newId(), threadId: newId(), ownerId: 'alice', prompt, enqueuedAt: 0 };
  await runs.create(job);
  return job;
}

async function run(stream: UIMessageStreamSource, prompt = 'Weather in Oslo?') {
  const bus = new MemoryEventBus();
  const runs = new MemoryRunStore();
  const job = await queuedRun(runs, prompt);
  const outcome = await executeUIMessageStreamRun(job, {
    bus,
    runs,
    logger: silentLogger,
    stream,
    signal: new AbortController().signal,
  });
  const events: StreamEvent[] = (await bus.history(job.threadId)).map((stored) => stored.event);
  const messageEvents = events.filter((e): e is StreamEvent & MessageEvent => e.type === 'token' || e.type === 'delta');
  return { outcome, events, parts: foldMessageEvents(messageEvents), record: await runs.get(job.runId) };
}

describe('executeUIMessageStreamRun', () => {
  it("publishes a streamText run's UI message stream as the events of a run that the fold turns into its parts", async () => {
    const { outcome, events, parts, record } = await run(weatherStream);
    expect(outcome).toEqual({ state: 'done', text: 'It is 3 °C in Oslo.', tokenCount: 2 });
    expect(events.map((e) => e.type)).toEqual([
      'status',
      ...Array<string>(11).fill('delta'),
      'token',
      'token',
      'delta',
      'delta',
      'done',
    ]);
    expect(parts).toEqual([
      { type: 'step-start', index: 1, state: 'done' },
      {
        type: 'reasoning',
        id: 'rs',
        text: 'Look it up.',
        state: 'done',
        startedAt: expect.any(Number),
        endedAt: expect.any(Number),
      },
      {
        type: 'tool',
        toolCallId: 'c1',
        toolName: 'weather',
        state: 'output-available',
        inputText: '{"city":"Oslo"}',
        input: { city: 'Oslo' },
        output: { city: 'Oslo', c: 3 },
      },
      { type: 'step-start', index: 2, state: 'done' },
      { type: 'text', text: 'It is 3 °C in Oslo.' },
      { type: 'source-url', sourceId: 'src', url: 'https://example.com/oslo', title: 'Oslo weather' },
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      content: {
        text: 'It is 3 °C in Oslo.',
        tokenCount: 2,
        deltaCount: 13,
        usage: { inputTokens: 30, outputTokens: 12 },
        model: 'mock',
        finishReason: 'stop',
      },
    });
    expect(record).toMatchObject({ state: 'done', parts });
  });

  it('publishes data parts and approvals, and ends the run error with the stream’s error', async () => {
    const chunks: UIMessageChunk[] = [
      { type: 'start' },
      { type: 'start-step' },
      { type: 'tool-input-available', toolCallId: 'c1', toolName: 'delete files', input: { all: true } },
      { type: 'tool-approval-request', toolCallId: 'c1', approvalId: 'a1' },
      { type: 'tool-approval-response', approvalId: 'a1', approved: false, reason: 'no' },
      { type: 'tool-output-denied', toolCallId: 'c1' },
      { type: 'data-progress', id: 'p', data: { done: 1 } },
      { type: 'data-ping', data: 'transient', transient: true },
      { type: 'source-url', sourceId: 's', url: 'ftp://not-http' },
      { type: 'error', errorText: 'the model went away' },
    ];
    const { outcome, events, parts } = await run(() => convertArrayToReadableStream(chunks));
    expect(outcome.state).toBe('error');
    expect(events.at(-1)).toMatchObject({ type: 'error', content: { message: 'the model went away' } });
    expect(parts).toEqual([
      { type: 'step-start', index: 1, state: 'streaming' },
      {
        type: 'tool',
        toolCallId: 'c1',
        toolName: 'delete_files',
        state: 'output-denied',
        inputText: '{"all":true}',
        input: { all: true },
        approval: { id: 'a1', approved: false, reason: 'no' },
      },
      { type: 'data', name: 'progress', id: 'p', data: { done: 1 } },
    ]);
  });

  it('fails the run when the stream ends without finish', async () => {
    const { outcome, events } = await run(() => convertArrayToReadableStream<UIMessageChunk>([{ type: 'start' }]));
    expect(outcome.state).toBe('error');
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      content: { message: 'the UI message stream ended without finish' },
    });
  });
});
