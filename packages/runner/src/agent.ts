import type { DataPart, FinishReason, JsonValue, Usage } from '@threadcast/contract';

/**
 * One piece of one model call, as a provider streams it. The runner turns these into the thread's events
 * (a `token`, or a `delta` part), gives reasoning blocks their ids, and runs the tools that were called.
 */
export type AgentChunk =
  /** Reply text. */
  | { type: 'token'; text: string }
  /** Reasoning text; consecutive chunks form one reasoning block. */
  | { type: 'reasoning'; text: string }
  /** The model started a tool call; its arguments follow as `tool-call-delta`s. */
  | { type: 'tool-call-start'; toolCallId: string; toolName: string }
  /** A piece of a call's JSON arguments (not JSON on its own). */
  | { type: 'tool-call-delta'; toolCallId: string; argsTextDelta: string }
  /** The call is complete: its whole arguments text, still to be parsed and checked by the runner. */
  | { type: 'tool-call'; toolCallId: string; toolName: string; argsText: string }
  /** A source the reply cites. */
  | { type: 'source'; sourceId: string; url: string; title?: string }
  /** An app's own part, passed on as it is (the bus checks its shape). */
  | { type: 'data'; part: DataPart }
  /** The call ended: why, and the tokens it used where the provider says. */
  | { type: 'finish'; finishReason: FinishReason; usage?: Usage; model?: string };

/** A tool call the model made in an earlier step of this run, and what came of it. */
export interface AgentToolCall {
  toolCallId: string;
  toolName: string;
  /** The arguments as the model wrote them. */
  argsText: string;
}

/** A conversation as a provider sees it. Tool results answer the assistant message's calls, in order. */
export type AgentMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: AgentToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string };

/** What a provider needs to describe a tool to the model. */
export interface AgentToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, JsonValue>;
}

export interface AgentRequest {
  /** The conversation so far, oldest first: earlier exchanges, this run's prompt, and this run's earlier steps. */
  messages: AgentMessage[];
  /** Tools the model may call (none: it only writes). */
  tools: AgentToolSpec[];
  /** Aborted when the run is cancelled or the worker shuts down: stop generating. */
  signal: AbortSignal;
}

/** Produces one model call's output, chunk by chunk. A new provider is one class implementing this. */
export interface Agent {
  readonly name: string;
  reply(request: AgentRequest): AsyncIterable<AgentChunk>;
}
