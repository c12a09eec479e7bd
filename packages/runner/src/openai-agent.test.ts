import { MemoryEventBus } from '@threadcast/bus';
import { silentLogger } from '@threadcast/common';
import { MemoryRunStore, newId } from '@threadcast/store';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentChunk, AgentRequest } from './agent.ts';
import { createAgent } from './create-agent.ts';
import { executeRun } from './execute-run.ts';
import { AgentProviderError, OpenAIAgent, type OpenAIAgentConfig } from './openai-agent.ts';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './testing/fake-openai-server.ts';
import {
  argumentsChunk,
  choiceChunk,
  contentChunk,
  DONE,
  FIXTURE_MODEL,
  finishChunk,
  openingChunk,
  toolCallOpening,
  usageChunk,
} from './testing/openai-chunks.ts';
import { agentConfigFromEnv, workerEnvShape } from './worker-env.ts';

const API_KEY = 'sk-test-threadcast-0123456789abcdef';

const agentFor = (server: FakeOpenAIServer, config: Partial<OpenAIAgentConfig> = {}) =>
  new OpenAIAgent({ baseURL: server.baseURL, apiKey: API_KEY, model: 'gpt-test', maxRetries: 0, ...config });

const ask = (signal = new AbortController().signal): AgentRequest => ({
  messages: [{ role: 'user', content: 'hi' }],
  tools: [],
  signal,
});

async function collect(chunks: AsyncIterable<AgentChunk>): Promise<string[]> {
  const texts: string[] = [];
  for await (const chunk of chunks) if (chunk.type === 'token') texts.push(chunk.text);
  return texts;
}

async function chunksOf(chunks: AsyncIterable<AgentChunk>): Promise<AgentChunk[]> {
  const all: AgentChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

/** The error the reply ends with, checked to be a provider error that does not leak the key. */
async function failure(chunks: AsyncIterable<AgentChunk>): Promise<AgentProviderError> {
  const error = await chunksOf(chunks).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AgentProviderError)) throw new Error(`expected an AgentProviderError, got ${String(error)}`);
  expect(error.message).not.toContain(API_KEY);
  return error;
}

describe('OpenAIAgent', () => {
  it('streams the tokens in order, sending the model, the key, the history and the prompt', async () => {
    const tokens = ['Hello', ', ', 'wörld', ' 你好', ' 🚀'];
    await using server = await startFakeOpenAIServer([{ tokens }]);
    const history = [
      { role: 'user' as const, content: 'Earlier question' },
      { role: 'assistant' as const, content: 'Earlier answer' },
    ];
    const received = await collect(
      agentFor(server).reply({
        messages: [...history, { role: 'user', content: 'Say hi' }],
        tools: [],
        signal: new AbortController().signal,
      }),
    );
    expect(received).toEqual(tokens);
    expect(received.join('')).toBe('Hello, wörld 你好 🚀');
    const request = await server.request(0);
    expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request.body).toMatchObject({
      model: 'gpt-test',
      stream: true,
      messages: [...history, { role: 'user', content: 'Say hi' }],
    });
  });

  it('says the key was rejected on 401, without echoing it and without retrying', async () => {
    await using server = await startFakeOpenAIServer([
      { status: 401, message: `Incorrect API key provided: ${API_KEY}.` },
    ]);
    const error = await failure(agentFor(server, { maxRetries: 2 }).reply(ask()));
    expect(error.message).toMatch(/API key was rejected \(401/);
    expect(error.status).toBe(401);
    expect(server.requestCount).toBe(1);
  });

  it('says it was rate limited on 429', async () => {
    await using server = await startFakeOpenAIServer([{ status: 429, message: 'Rate limit reached for gpt-test' }]);
    const error = await failure(agentFor(server).reply(ask()));
    expect(error.message).toBe('openai: rate limited by the provider (429): Rate limit reached for gpt-test');
  });

  it('reports a provider error with its status on 500 when retries are off', async () => {
    await using server = await startFakeOpenAIServer([{ status: 500, message: 'The server had an error' }]);
    const error = await failure(agentFor(server).reply(ask()));
    expect(error.message).toBe('openai: provider error (status 500): The server had an error');
    expect(server.requestCount).toBe(1);
  });

  it('retries a 500 and then streams the reply', async () => {
    await using server = await startFakeOpenAIServer([{ status: 500 }, { tokens: ['second ', 'time'] }]);
    const agent = agentFor(server, { maxRetries: 2 });
    expect(await collect(agent.reply(ask()))).toEqual(['second ', 'time']);
    expect(server.requestCount).toBe(2);
  });

  it('says the stream was cut, and after how many tokens, when the connection drops mid-reply', async () => {
    await using server = await startFakeOpenAIServer([{ tokens: ['a', 'b', 'c'], ending: 'hang' }]);
    const reply = agentFor(server).reply(ask())[Symbol.asyncIterator]();
    for (const text of ['a', 'b', 'c']) expect((await reply.next()).value).toEqual({ type: 'token', text });
    (await server.request(0)).cut();
    const error = await reply.next().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AgentProviderError);
    expect(String(error)).toMatch(/the stream was cut after 3 tokens/);
  });

  it('says the provider sent a malformed chunk', async () => {
    await using server = await startFakeOpenAIServer([{ tokens: ['a', 'b'], ending: 'malformed' }]);
    const error = await failure(agentFor(server).reply(ask()));
    expect(error.message).toBe('openai: the provider sent a malformed chunk after 2 tokens');
  });

  it('passes on an error the provider reports mid-stream', async () => {
    await using server = await startFakeOpenAIServer([{ tokens: ['a'], ending: 'error' }]);
    const error = await failure(agentFor(server).reply(ask()));
    expect(error.message).toBe('openai: the provider reported an error after 1 token: The server had an error');
  });

  it('does not pass off a stream that closed before the reply finished as complete', async () => {
    await using server = await startFakeOpenAIServer([{ tokens: ['a', 'b'], ending: 'close' }]);
    const error = await failure(agentFor(server).reply(ask()));
    expect(error.message).toBe('openai: the stream ended after 2 tokens without finishing the reply');
  });

  it('stops streaming and closes the connection when the signal aborts, without an error', async () => {
    await using server = await startFakeOpenAIServer([{ tokens: ['a', 'b'], ending: 'hang' }]);
    const abort = new AbortController();
    const received: string[] = [];
    for await (const chunk of agentFor(server).reply(ask(abort.signal))) {
      if (chunk.type === 'token') received.push(chunk.text);
      if (received.length === 2) abort.abort();
    }
    expect(received).toEqual(['a', 'b']);
    await (await server.request(0)).closed;
  });

  it('ends at once when aborted while the SDK waits to retry', async () => {
    // The client cancels the 429's body (closing the connection) and then sleeps for Retry-After.
    await using server = await startFakeOpenAIServer([
      { status: 429, headers: { 'retry-after': '60' }, holdBody: true },
    ]);
    const abort = new AbortController();
    const replying = collect(agentFor(server, { maxRetries: 2 }).reply(ask(abort.signal)));
    await (await server.request(0)).closed;
    abort.abort();
    expect(await replying).toEqual([]);
    expect(server.requestCount).toBe(1);
  });

  it('ends a run with an error event that says what went wrong', async () => {
    await using server = await startFakeOpenAIServer([{ status: 401 }]);
    const bus = new MemoryEventBus();
    const runs = new MemoryRunStore();
    const job = { runId: newId(), threadId: newId(), ownerId: 'alice', prompt: 'hi', enqueuedAt: 0 };
    await runs.create(job);
    const outcome = await executeRun(job, {
      bus,
      runs,
      agent: agentFor(server),
      logger: silentLogger,
      signal: new AbortController().signal,
    });
    const events = (await bus.history(job.threadId)).map((stored) => stored.event);
    expect(events.map((event) => event.type)).toEqual(['status', 'error']);
    expect(events.at(-1)?.content).toEqual({
      runId: job.runId,
      message: expect.stringMatching(/^openai: the API key was rejected \(401/),
    });
    expect(outcome.state).toBe('error');
  });
});

const calculator = {
  name: 'calculate',
  description: 'Evaluates an arithmetic expression',
  parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
};

const askWithTools = (signal = new AbortController().signal): AgentRequest => ({
  messages: [{ role: 'user', content: 'What is 2*(3+4), and the weather in Paris?' }],
  tools: [calculator],
  signal,
});

describe('OpenAIAgent with tools, reasoning and usage', () => {
  it('sends the tools, the earlier tool calls with their results, and asks for usage', async () => {
    await using server = await startFakeOpenAIServer([{ chunks: [openingChunk(), finishChunk('stop'), DONE] }]);
    await chunksOf(
      agentFor(server).reply({
        messages: [
          { role: 'user', content: 'What is 2*(3+4)?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ toolCallId: 'call_1', toolName: 'calculate', argsText: '{"expression":"2*(3+4)"}' }],
          },
          { role: 'tool', toolCallId: 'call_1', toolName: 'calculate', content: '14' },
          { role: 'assistant', content: 'It is 14.' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [calculator],
        signal: new AbortController().signal,
      }),
    );
    expect((await server.request(0)).body).toEqual({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: calculator }],
      messages: [
        { role: 'user', content: 'What is 2*(3+4)?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'calculate', arguments: '{"expression":"2*(3+4)"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '14' },
        { role: 'assistant', content: 'It is 14.' },
        { role: 'user', content: 'Thanks' },
      ],
    });
  });

  it('sends no tools field when there are no tools', async () => {
    await using server = await startFakeOpenAIServer([{ chunks: [openingChunk(), finishChunk('stop'), DONE] }]);
    await chunksOf(agentFor(server).reply(ask()));
    const body = (await server.request(0)).body;
    expect(body).not.toHaveProperty('tools');
    expect(body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('streams text, then a finish with the reason, the usage and the model the chunks report', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [openingChunk(), contentChunk('Hel'), contentChunk('lo'), finishChunk('stop'), usageChunk(12, 2), DONE],
      },
    ]);
    expect(await chunksOf(agentFor(server).reply(ask()))).toEqual([
      { type: 'token', text: 'Hel' },
      { type: 'token', text: 'lo' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 2 }, model: FIXTURE_MODEL },
    ]);
  });

  it('leaves out token counts it cannot read, and says nothing of usage when no usage chunk came', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          openingChunk(),
          contentChunk('x'),
          finishChunk('stop'),
          { ...usageChunk(1, 1), usage: { prompt_tokens: '12', completion_tokens: -1 } },
          DONE,
        ],
      },
      { chunks: [openingChunk(), contentChunk('x'), finishChunk('stop'), DONE] },
    ]);
    for (const _ of [1, 2]) {
      const chunks = await chunksOf(agentFor(server).reply(ask()));
      expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', model: FIXTURE_MODEL });
    }
  });

  it('assembles a tool call whose arguments arrive split mid-token', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          toolCallOpening(0, 'call_calc', 'calculate'),
          argumentsChunk(0, '{"expr'),
          argumentsChunk(0, 'ession": "2*'),
          argumentsChunk(0, '(3+4)"}'),
          finishChunk('tool_calls'),
          usageChunk(80, 19),
          DONE,
        ],
      },
    ]);
    expect(await chunksOf(agentFor(server).reply(askWithTools()))).toEqual([
      { type: 'tool-call-start', toolCallId: 'call_calc', toolName: 'calculate' },
      { type: 'tool-call-delta', toolCallId: 'call_calc', argsTextDelta: '{"expr' },
      { type: 'tool-call-delta', toolCallId: 'call_calc', argsTextDelta: 'ession": "2*' },
      { type: 'tool-call-delta', toolCallId: 'call_calc', argsTextDelta: '(3+4)"}' },
      { type: 'tool-call', toolCallId: 'call_calc', toolName: 'calculate', argsText: '{"expression": "2*(3+4)"}' },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 80, outputTokens: 19 },
        model: FIXTURE_MODEL,
      },
    ]);
  });

  it('keeps parallel tool calls apart by index, one after the other as OpenAI sends them or interleaved', async () => {
    const calc = '{"expression":"2*(3+4)"}';
    const weather = '{"city":"Paris"}';
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          toolCallOpening(0, 'call_a', 'calculate'),
          argumentsChunk(0, calc.slice(0, 9)),
          argumentsChunk(0, calc.slice(9)),
          toolCallOpening(1, 'call_b', 'weather'),
          argumentsChunk(1, weather),
          finishChunk('tool_calls'),
          usageChunk(90, 40),
          DONE,
        ],
      },
      {
        chunks: [
          toolCallOpening(0, 'call_a', 'calculate'),
          toolCallOpening(1, 'call_b', 'weather'),
          argumentsChunk(1, weather.slice(0, 5)),
          argumentsChunk(0, calc.slice(0, 9)),
          // Both calls in one delta, as some compatible servers batch them.
          choiceChunk({
            tool_calls: [
              { index: 1, function: { arguments: weather.slice(5) } },
              { index: 0, function: { arguments: calc.slice(9) } },
            ],
          }),
          finishChunk('tool_calls'),
          usageChunk(90, 40),
          DONE,
        ],
      },
    ]);
    const completed = (chunks: AgentChunk[]) => chunks.filter((chunk) => chunk.type === 'tool-call');
    const argsOf = (chunks: AgentChunk[], id: string) =>
      chunks.flatMap((chunk) =>
        chunk.type === 'tool-call-delta' && chunk.toolCallId === id ? [chunk.argsTextDelta] : [],
      );
    const expected = [
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'calculate', argsText: calc },
      { type: 'tool-call', toolCallId: 'call_b', toolName: 'weather', argsText: weather },
    ];
    for (const _ of ['sequential', 'interleaved']) {
      const chunks = await chunksOf(agentFor(server).reply(askWithTools()));
      expect(chunks.filter((chunk) => chunk.type === 'tool-call-start')).toEqual([
        { type: 'tool-call-start', toolCallId: 'call_a', toolName: 'calculate' },
        { type: 'tool-call-start', toolCallId: 'call_b', toolName: 'weather' },
      ]);
      expect(argsOf(chunks, 'call_a').join('')).toBe(calc);
      expect(argsOf(chunks, 'call_b').join('')).toBe(weather);
      expect(completed(chunks)).toEqual(expected);
      expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
    }
  });

  it('assembles calls without an index by their id, as Gemini sends them, and completes them on stop', async () => {
    const model = 'gemini-2.5-flash';
    // Gemini's chunks: no tool call index, each call whole in one delta, `stop` at the end.
    const gemini = (delta: Record<string, unknown>, finishReason?: string) => ({
      choices: [{ delta, index: 0, ...(finishReason ? { finish_reason: finishReason } : {}) }],
      created: 1_700_000_000,
      id: 'gemini-fixture',
      model,
      object: 'chat.completion.chunk',
    });
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          gemini({
            role: 'assistant',
            tool_calls: [
              { function: { arguments: '{"expression":"2*(3+4)"}', name: 'calculate' }, id: 'g_1', type: 'function' },
            ],
          }),
          gemini({
            tool_calls: [{ function: { arguments: '{"city":', name: 'weather' }, id: 'g_2', type: 'function' }],
          }),
          gemini({ tool_calls: [{ function: { arguments: '"Paris"}' } }] }),
          gemini({ content: '' }, 'stop'),
          { ...gemini({}), choices: [], usage: { completion_tokens: 30, prompt_tokens: 70, total_tokens: 100 } },
          DONE,
        ],
      },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(askWithTools()));
    expect(chunks.filter((chunk) => chunk.type === 'tool-call' || chunk.type === 'finish')).toEqual([
      { type: 'tool-call', toolCallId: 'g_1', toolName: 'calculate', argsText: '{"expression":"2*(3+4)"}' },
      { type: 'tool-call', toolCallId: 'g_2', toolName: 'weather', argsText: '{"city":"Paris"}' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 70, outputTokens: 30 }, model },
    ]);
  });

  it('passes arguments that are not JSON on unchanged, for the runner to report', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          toolCallOpening(0, 'call_bad', 'calculate'),
          argumentsChunk(0, '{"expression": "2*'),
          argumentsChunk(0, '(3+4)'),
          finishChunk('tool_calls'),
          DONE,
        ],
      },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(askWithTools()));
    expect(chunks.slice(-2)).toEqual([
      { type: 'tool-call', toolCallId: 'call_bad', toolName: 'calculate', argsText: '{"expression": "2*(3+4)' },
      { type: 'finish', finishReason: 'tool-calls', model: FIXTURE_MODEL },
    ]);
  });

  it('completes the calls of a server that finishes them with stop', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [toolCallOpening(0, 'call_1', 'calculate'), argumentsChunk(0, '{}'), finishChunk('stop'), DONE],
      },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(askWithTools()));
    expect(chunks.slice(-2)).toEqual([
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'calculate', argsText: '{}' },
      { type: 'finish', finishReason: 'stop', model: FIXTURE_MODEL },
    ]);
  });

  it('does not complete a call the length limit cut mid-arguments', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [toolCallOpening(0, 'call_1', 'calculate'), argumentsChunk(0, '{"expr'), finishChunk('length'), DONE],
      },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(askWithTools()));
    expect(chunks.map((chunk) => chunk.type)).toEqual(['tool-call-start', 'tool-call-delta', 'finish']);
    expect(chunks.at(-1)).toMatchObject({ finishReason: 'length' });
  });

  it.each([
    ['content_filter', 'content-filter'],
    ['length', 'length'],
    ['function_call', 'other'],
    ['eos', 'other'],
  ] as const)('maps the finish reason %s to %s', async (reason, finishReason) => {
    await using server = await startFakeOpenAIServer([
      { chunks: [openingChunk(), contentChunk('x'), finishChunk(reason), DONE] },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(ask()));
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason, model: FIXTURE_MODEL });
  });

  it('says a tool call that starts without its id or name is a malformed chunk', async () => {
    for (const opening of [
      choiceChunk({ tool_calls: [{ index: 0, type: 'function', function: { name: 'calculate', arguments: '' } }] }),
      choiceChunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { arguments: '{}' } }] }),
    ]) {
      await using server = await startFakeOpenAIServer([
        { chunks: [openingChunk(), contentChunk('Let me check.'), opening, finishChunk('tool_calls'), DONE] },
      ]);
      const error = await failure(agentFor(server).reply(askWithTools()));
      expect(error.message).toBe('openai: the provider sent a malformed chunk after 1 token');
    }
  });

  it('streams reasoning_content before the reply, as DeepSeek sends it with the usage on the last choice', async () => {
    const model = 'deepseek-reasoner';
    const reasoningChunk = (text: string) => choiceChunk({ content: null, reasoning_content: text }, null, model);
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          choiceChunk({ role: 'assistant', content: null, reasoning_content: '' }, null, model),
          reasoningChunk('The user'),
          reasoningChunk(' greets me.'),
          choiceChunk({ content: 'Hi', reasoning_content: null }, null, model),
          choiceChunk({ content: '!', reasoning_content: null }, null, model),
          {
            ...choiceChunk({ content: '', reasoning_content: null }, 'stop', model),
            usage: { prompt_tokens: 9, completion_tokens: 30, total_tokens: 39 },
          },
          DONE,
        ],
      },
    ]);
    expect(await chunksOf(agentFor(server).reply(ask()))).toEqual([
      { type: 'reasoning', text: 'The user' },
      { type: 'reasoning', text: ' greets me.' },
      { type: 'token', text: 'Hi' },
      { type: 'token', text: '!' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 9, outputTokens: 30 }, model },
    ]);
  });

  it('streams reasoning sent as `reasoning`, once when a server sends it under both names', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          openingChunk(),
          choiceChunk({ reasoning: 'Short', reasoning_details: [{ type: 'reasoning.text', text: 'Short' }] }),
          choiceChunk({ reasoning: ' thought.', reasoning_content: ' thought.' }),
          contentChunk('Done.'),
          finishChunk('stop'),
          usageChunk(5, 7),
          DONE,
        ],
      },
    ]);
    const chunks = await chunksOf(agentFor(server).reply(ask()));
    expect(chunks.filter((chunk) => chunk.type !== 'finish')).toEqual([
      { type: 'reasoning', text: 'Short' },
      { type: 'reasoning', text: ' thought.' },
      { type: 'token', text: 'Done.' },
    ]);
  });

  it('passes a refusal on as reply text', async () => {
    await using server = await startFakeOpenAIServer([
      { chunks: [openingChunk(), choiceChunk({ refusal: "I can't help with that." }), finishChunk('stop'), DONE] },
    ]);
    expect(await collect(agentFor(server).reply(ask()))).toEqual(["I can't help with that."]);
  });

  it('says the stream was cut when the server drops the connection in the middle of a tool call', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [toolCallOpening(0, 'call_1', 'calculate'), argumentsChunk(0, '{"expr'), argumentsChunk(0, 'ession')],
        ending: 'cut',
      },
    ]);
    const error = await failure(agentFor(server).reply(askWithTools()));
    expect(error.message).toMatch(/^openai: the stream was cut after 2 tokens: /);
  });

  it('passes on an error object the provider sends in the middle of a tool call', async () => {
    await using server = await startFakeOpenAIServer([
      {
        chunks: [
          toolCallOpening(0, 'call_1', 'calculate'),
          argumentsChunk(0, '{"expr'),
          { error: { message: 'The model is overloaded', type: 'server_error', param: null, code: null } },
        ],
      },
    ]);
    const error = await failure(agentFor(server).reply(askWithTools()));
    expect(error.message).toBe('openai: the provider reported an error after 1 token: The model is overloaded');
  });

  it('says a tool call stream that ends without a finish reason did not finish', async () => {
    await using server = await startFakeOpenAIServer([
      { chunks: [toolCallOpening(0, 'call_1', 'calculate'), argumentsChunk(0, '{}'), DONE] },
    ]);
    const error = await failure(agentFor(server).reply(askWithTools()));
    expect(error.message).toBe('openai: the stream ended after 1 token without finishing the reply');
  });

  it('waits for the retry-after of a 429 and then streams the reply', async () => {
    await using server = await startFakeOpenAIServer([
      { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } },
      { chunks: [openingChunk(), contentChunk('ok'), finishChunk('stop'), usageChunk(3, 1), DONE] },
    ]);
    const started = performance.now();
    const chunks = await chunksOf(agentFor(server, { maxRetries: 1 }).reply(ask()));
    const waited = performance.now() - started;
    expect(chunks.at(0)).toEqual({ type: 'token', text: 'ok' });
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', usage: { inputTokens: 3, outputTokens: 1 } });
    expect(server.requestCount).toBe(2);
    // The SDK waits what Retry-After says, not its own half-second backoff.
    expect(waited).toBeGreaterThanOrEqual(950);
  });

  it('ends silently on an abort in the middle of a tool call, without completing it', async () => {
    await using server = await startFakeOpenAIServer([
      { chunks: [toolCallOpening(0, 'call_1', 'calculate'), argumentsChunk(0, '{"expr')], ending: 'hang' },
    ]);
    const abort = new AbortController();
    const received: AgentChunk[] = [];
    for await (const chunk of agentFor(server).reply(askWithTools(abort.signal))) {
      received.push(chunk);
      if (chunk.type === 'tool-call-delta') abort.abort();
    }
    expect(received.map((chunk) => chunk.type)).toEqual(['tool-call-start', 'tool-call-delta']);
    await (await server.request(0)).closed;
  });
});

describe('createAgent with AGENT=openai', () => {
  const parseEnv = (source: Record<string, string>) => z.object(workerEnvShape).parse(source);

  it('needs OPENAI_API_KEY', () => {
    expect(() => createAgent(agentConfigFromEnv(parseEnv({ AGENT: 'openai' })))).toThrow(/needs OPENAI_API_KEY/);
    expect(() => createAgent(agentConfigFromEnv(parseEnv({ AGENT: 'openai', OPENAI_API_KEY: '' })))).toThrow(
      /needs OPENAI_API_KEY/,
    );
  });

  it('builds the openai agent from the environment, with defaults', () => {
    const env = parseEnv({ AGENT: 'openai', OPENAI_API_KEY: API_KEY });
    expect(agentConfigFromEnv(env).openai).toEqual({
      baseURL: 'https://api.openai.com/v1',
      apiKey: API_KEY,
      model: 'gpt-4o-mini',
      maxRetries: 2,
    });
    expect(createAgent(agentConfigFromEnv(env))).toBeInstanceOf(OpenAIAgent);
  });
});
