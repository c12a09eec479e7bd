import { ABORTED, untilAborted } from '@threadcast/common';
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  RateLimitError,
} from 'openai';
import type { Agent, AgentChunk, AgentRequest } from './agent.ts';
import { ChatStreamAssembler } from './openai-chunk-assembler.ts';
import { chatCompletionRequest } from './openai-request.ts';

export interface OpenAIAgentConfig {
  /** An OpenAI-compatible API, e.g. `https://api.openai.com/v1`. */
  baseURL: string;
  apiKey: string;
  model: string;
  /** Retries of the SDK for connection errors, 408, 409, 429 and 5xx before the stream starts (default 2). */
  maxRetries?: number;
  /** Until the response headers arrive, per attempt; the SDK does not time out a stream once it flows. */
  timeoutMs?: number;
}

/** A model provider failed; the message says how and is safe to show users (it never holds the API key). */
export class AgentProviderError extends Error {
  override readonly name = 'AgentProviderError';

  /** The provider's HTTP status, when it answered with one. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}

/** Streams chat completions from OpenAI or any server speaking its API. */
export class OpenAIAgent implements Agent {
  readonly name = 'openai';
  private readonly client: OpenAI;
  private readonly host: string;

  constructor(private readonly config: OpenAIAgentConfig) {
    const { baseURL, apiKey, model, maxRetries = 2, timeoutMs } = config;
    this.host = new URL(baseURL).host;
    if (!apiKey) throw new RangeError('the openai agent needs an API key');
    if (!model) throw new RangeError('the openai agent needs a model name');
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new RangeError(`maxRetries must be an integer >= 0, got ${maxRetries}`);
    }
    if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs <= 0)) {
      throw new RangeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    this.client = new OpenAI({
      baseURL,
      apiKey,
      maxRetries,
      timeout: timeoutMs,
      // Otherwise the SDK reads these from process.env itself; settings come from the apps' env.ts only.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      // Failures reach the run's error event and the worker's log; the SDK would print raw chunks to stderr.
      logLevel: 'off',
    });
  }

  async *reply(request: AgentRequest): AsyncIterable<AgentChunk> {
    const { signal } = request;
    const assembler = new ChatStreamAssembler();
    let streaming = false;
    try {
      const pending = this.client.chat.completions.create(chatCompletionRequest(this.config.model, request), {
        signal,
      });
      const stream = await untilAborted(pending, signal);
      // The SDK's wait between retries ignores the signal (up to the provider's Retry-After): do not wait for it.
      if (stream === ABORTED) return;
      streaming = true;
      for await (const raw of stream) {
        const chunks = assembler.push(raw);
        if (!chunks) throw malformedChunk(assembler.streamed);
        yield* chunks;
      }
    } catch (error) {
      // An abort is the caller's decision, not a failure: the SDK reports it as an error or a silent end.
      if (signal.aborted) return;
      throw this.describe(error, { streaming, tokens: assembler.streamed });
    }
    // The SDK ends the stream silently on an abort: what came so far is not a finished reply.
    if (signal.aborted) return;
    const closing = assembler.end();
    if (!closing) {
      throw new AgentProviderError(
        `openai: the stream ended after ${count(assembler.streamed)} without finishing the reply`,
      );
    }
    yield* closing;
  }

  /** Turns whatever the SDK or the connection threw into a message a user can act on. */
  private describe(error: unknown, at: { streaming: boolean; tokens: number }): AgentProviderError {
    if (error instanceof AgentProviderError) return error;
    if (error instanceof AuthenticationError) {
      return new AgentProviderError('openai: the API key was rejected (401 Unauthorized); check OPENAI_API_KEY', {
        status: 401,
      });
    }
    if (error instanceof RateLimitError) {
      return new AgentProviderError(`openai: rate limited by the provider (429): ${this.detail(error)}`, {
        status: 429,
      });
    }
    if (error instanceof APIConnectionTimeoutError) {
      return new AgentProviderError(`openai: ${this.host} did not answer within ${this.client.timeout} ms`);
    }
    if (error instanceof APIConnectionError) {
      return new AgentProviderError(`openai: could not reach ${this.host}: ${this.reason(error)}`, {
        cause: error.cause,
      });
    }
    if (error instanceof APIError) {
      const { status } = error;
      if (status === undefined) {
        return new AgentProviderError(
          `openai: the provider reported an error after ${count(at.tokens)}: ${this.detail(error)}`,
        );
      }
      const what = status >= 500 ? 'provider error' : 'the provider refused the request';
      return new AgentProviderError(`openai: ${what} (status ${status}): ${this.detail(error)}`, { status });
    }
    // The SDK rethrows JSON.parse's SyntaxError for a data line that is not JSON.
    if (at.streaming && error instanceof SyntaxError) return malformedChunk(at.tokens);
    if (at.streaming) {
      return new AgentProviderError(`openai: the stream was cut after ${count(at.tokens)}: ${this.reason(error)}`, {
        cause: error,
      });
    }
    return new AgentProviderError(`openai: the request failed: ${this.reason(error)}`);
  }

  /** The provider's own explanation, without the key and bounded in length. */
  private detail(error: APIError): string {
    const body: unknown = error.error;
    const message =
      body && typeof body === 'object' && 'message' in body && typeof body.message === 'string'
        ? body.message
        : error.message.replace(/^\d{3} /, ''); // The SDK prefixes the status, which the caller states already.
    return this.reason(message);
  }

  /** The innermost cause of a network error (`other side closed` rather than `terminated`), redacted. */
  private reason(error: unknown): string {
    let inner = error;
    while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
    let text = (inner instanceof Error ? inner.message : String(inner)).replace(/\s+/g, ' ').trim();
    // A short placeholder key (local servers accept any) would mangle words without hiding a secret.
    if (this.config.apiKey.length >= 8) text = text.replaceAll(this.config.apiKey, '[redacted]');
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  }
}

const count = (tokens: number) => (tokens === 1 ? '1 token' : `${tokens} tokens`);

function malformedChunk(tokens: number): AgentProviderError {
  return new AgentProviderError(`openai: the provider sent a malformed chunk after ${count(tokens)}`);
}
