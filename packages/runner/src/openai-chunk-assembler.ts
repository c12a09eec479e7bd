import type { FinishReason, Usage } from '@threadcast/contract';
import { z } from 'zod';
import type { AgentChunk } from './agent.ts';

// Checked at runtime: a compatible server may send anything, and the SDK only parses JSON. Everything that
// servers send differently (or not at all) is nullish; unknown fields are dropped.
const toolCallDeltaSchema = z.object({
  // Gemini's compatible endpoint leaves it out.
  index: z.number().int().nonnegative().nullish(),
  id: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const chunkSchema = z.object({
  model: z.string().nullish(),
  choices: z.array(
    z.object({
      delta: z
        .object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          // Reasoning models behind DeepSeek, vLLM, OpenRouter, Ollama and the like; OpenAI sends none.
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
          tool_calls: z.array(toolCallDeltaSchema).nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative().nullish(),
      completion_tokens: z.number().int().nonnegative().nullish(),
    })
    .nullish()
    // Counts in a shape of their own are left out rather than failing a reply that came through whole.
    .catch(null),
});

type ToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

interface OpenToolCall {
  toolCallId: string;
  toolName: string;
  argsText: string;
  complete: boolean;
}

const finishReasons: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool-calls',
  content_filter: 'content-filter',
};

/**
 * Turns one chat-completions stream, chunk by chunk, into the agent's chunks: text, reasoning, tool calls
 * assembled by their `index` (parallel calls may interleave) or, where a server sends none, by their id,
 * and a closing `finish`.
 */
export class ChatStreamAssembler {
  /** In the order the model started them. */
  private readonly calls: OpenToolCall[] = [];
  private readonly callsByIndex = new Map<number, OpenToolCall>();
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private model: string | undefined;
  /** Text, reasoning and argument pieces so far: about one model token each. */
  private pieces = 0;

  get streamed(): number {
    return this.pieces;
  }

  /** The agent chunks `raw` adds, or `undefined` when it is malformed. */
  push(raw: unknown): AgentChunk[] | undefined {
    const parsed = chunkSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const { model, choices, usage } = parsed.data;
    // Azure opens with a chunk of content-filter results whose model is empty.
    if (model && this.model === undefined) this.model = model;
    if (usage?.prompt_tokens != null && usage.completion_tokens != null) {
      this.usage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
    }
    // One choice is asked for; the usage chunk has none.
    const choice = choices[0];
    if (!choice) return [];

    const out: AgentChunk[] = [];
    const delta = choice.delta;
    // Some servers send the same text both as `reasoning_content` and as `reasoning`.
    const reasoning = delta?.reasoning_content || delta?.reasoning;
    if (reasoning) out.push(this.piece({ type: 'reasoning', text: reasoning }));
    // A refusal is what the model says instead of a reply, and the user should read it.
    for (const text of [delta?.content, delta?.refusal]) if (text) out.push(this.piece({ type: 'token', text }));
    for (const call of delta?.tool_calls ?? []) {
      const chunks = this.toolCallDelta(call);
      if (!chunks) return undefined;
      out.push(...chunks);
    }
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      // A reply cut by the length limit or a filter ends its calls mid-arguments: they are not complete.
      if (choice.finish_reason !== 'length' && choice.finish_reason !== 'content_filter') {
        out.push(...this.completeCalls());
      }
    }
    return out;
  }

  /** The closing chunks once the stream has ended, or `undefined` when the reply never finished. */
  end(): AgentChunk[] | undefined {
    if (this.finishReason === undefined) return undefined;
    const finishReason = finishReasons[this.finishReason] ?? 'other';
    const truncated = finishReason === 'length' || finishReason === 'content-filter';
    return [
      ...(truncated ? [] : this.completeCalls()),
      {
        type: 'finish',
        finishReason,
        ...(this.usage ? { usage: this.usage } : {}),
        ...(this.model ? { model: this.model } : {}),
      },
    ];
  }

  private toolCallDelta(delta: ToolCallDelta): AgentChunk[] | undefined {
    const out: AgentChunk[] = [];
    let call = this.callFor(delta);
    if (!call) {
      // The id and name come in the first delta of each index only; without them the call is lost.
      const toolCallId = delta.id;
      const toolName = delta.function?.name;
      if (!toolCallId || !toolName) return undefined;
      call = { toolCallId, toolName, argsText: '', complete: false };
      this.calls.push(call);
      if (delta.index != null) this.callsByIndex.set(delta.index, call);
      out.push({ type: 'tool-call-start', toolCallId, toolName });
    } else if (call.complete) {
      // Its whole arguments text was already passed on.
      return undefined;
    }
    const argsTextDelta = delta.function?.arguments;
    if (argsTextDelta) {
      call.argsText += argsTextDelta;
      out.push(this.piece({ type: 'tool-call-delta', toolCallId: call.toolCallId, argsTextDelta }));
    }
    return out;
  }

  /** The call a delta continues, if it continues one. */
  private callFor(delta: ToolCallDelta): OpenToolCall | undefined {
    if (delta.index != null) return this.callsByIndex.get(delta.index);
    // Without an index, a delta with an id the stream has not had starts a call, and one without continues
    // the latest call.
    if (delta.id) return this.calls.find((call) => call.toolCallId === delta.id);
    return this.calls.at(-1);
  }

  private completeCalls(): AgentChunk[] {
    const out: AgentChunk[] = [];
    for (const call of this.calls) {
      if (call.complete) continue;
      call.complete = true;
      out.push({ type: 'tool-call', toolCallId: call.toolCallId, toolName: call.toolName, argsText: call.argsText });
    }
    return out;
  }

  private piece<T extends AgentChunk>(chunk: T): T {
    this.pieces += 1;
    return chunk;
  }
}
