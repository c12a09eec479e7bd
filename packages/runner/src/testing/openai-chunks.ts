/**
 * Chat-completions stream chunks shaped like the ones OpenAI sends with `stream_options.include_usage`
 * (every field it sends, `usage: null` until the last chunk), to script the fake server with.
 */

export type ChunkDelta = Record<string, unknown>;

const MODEL = 'gpt-4o-mini-2024-07-18';

const envelope = (model: string) => ({
  id: 'chatcmpl-fixture0001',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model,
  service_tier: 'default',
  system_fingerprint: 'fp_fixture01',
});

/** One chunk of the single choice. */
export const choiceChunk = (delta: ChunkDelta, finishReason: string | null = null, model = MODEL) => ({
  ...envelope(model),
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  usage: null,
  obfuscation: 'xYz',
});

/** The first chunk of a reply that starts with text: an empty assistant delta. */
export const openingChunk = () => choiceChunk({ role: 'assistant', content: '', refusal: null });

export const contentChunk = (content: string) => choiceChunk({ content });

/**
 * The first delta of a tool call: its id and name, empty arguments. The first call of a reply that starts
 * with one also carries the assistant role.
 */
export const toolCallOpening = (index: number, id: string, name: string, first = index === 0) =>
  choiceChunk({
    ...(first ? { role: 'assistant', content: null, refusal: null } : {}),
    tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }],
  });

/** A piece of a tool call's arguments: only the index identifies the call. */
export const argumentsChunk = (index: number, piece: string) =>
  choiceChunk({ tool_calls: [{ index, function: { arguments: piece } }] });

/** The chunk that ends the choice: an empty delta and the reason. */
export const finishChunk = (reason: string) => choiceChunk({}, reason);

/** The last chunk: no choices, the call's token counts. */
export const usageChunk = (promptTokens: number, completionTokens: number, model = MODEL) => ({
  ...envelope(model),
  choices: [],
  usage: {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  obfuscation: 'aB',
});

export const DONE = 'data: [DONE]\n\n';
export const FIXTURE_MODEL = MODEL;
