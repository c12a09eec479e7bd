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

/** The error the reply ends with, checked to be a provider error that does not leak the key. */
async function failure(chunks: AsyncIterable<AgentChunk>): Promise<AgentProviderError> {
  const error = await collect(chunks).then(
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
