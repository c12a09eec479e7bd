/** One piece of a reply: a token of text, or a structured `delta` (a tool call, a progress step). */
export type AgentChunk = { type: 'token'; text: string } | { type: 'delta'; data: Record<string, unknown> };

export interface AgentMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface AgentRequest {
  prompt: string;
  /** Earlier messages of the thread, oldest first. */
  history: AgentMessage[];
  /** Aborted when the run is cancelled or the worker shuts down: stop generating. */
  signal: AbortSignal;
}

/** Produces a reply, chunk by chunk. A new provider is one class implementing this. */
export interface Agent {
  readonly name: string;
  reply(request: AgentRequest): AsyncIterable<AgentChunk>;
}
