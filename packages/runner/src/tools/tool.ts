import { type JsonValue, toolNameSchema } from '@threadcast/contract';
import { z } from 'zod';
import type { AgentToolSpec } from '../agent.ts';

export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;

export interface ToolContext {
  /** Aborted when the run is cancelled, the worker stops, or the tool's time is up: stop working. */
  signal: AbortSignal;
  toolCallId: string;
}

/** Something the model may call: arguments checked by `inputSchema`, a JSON result. */
export interface Tool<Input = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<Input>;
  /** How long one call may take before it fails with a timeout (the model is told). */
  readonly timeoutMs: number;
  /** The thread's owner must approve each call first (`run.approveTool`); the run waits meanwhile. */
  readonly needsApproval: boolean;
  /** The result the model reads; throw to tell it what went wrong. */
  execute(input: Input, context: ToolContext): Promise<JsonValue>;
}

export interface ToolDefinition<Schema extends z.ZodType> {
  name: string;
  description: string;
  inputSchema: Schema;
  execute(input: z.output<Schema>, context: ToolContext): Promise<JsonValue>;
  timeoutMs?: number;
  needsApproval?: boolean;
}

/** A tool from its definition, with the defaults filled in and its name and timeout checked. */
export function defineTool<Schema extends z.ZodType>(definition: ToolDefinition<Schema>): Tool<z.output<Schema>> {
  const name = toolNameSchema.safeParse(definition.name);
  if (!name.success) throw new TypeError(`tool name "${definition.name}" is invalid: ${name.error.issues[0]?.message}`);
  const timeoutMs = definition.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`tool ${definition.name}: timeoutMs must be a positive integer, got ${timeoutMs}`);
  }
  return {
    name: definition.name,
    description: definition.description,
    inputSchema: definition.inputSchema as z.ZodType<z.output<Schema>>,
    timeoutMs,
    needsApproval: definition.needsApproval ?? false,
    execute: definition.execute,
  };
}

/** The tools a run may use, by name, with their descriptions for the model. */
export interface ToolRegistry {
  get(name: string): Tool | undefined;
  readonly specs: readonly AgentToolSpec[];
}

/** A registry of `tools`; two tools of one name are refused. */
export function createToolRegistry(tools: readonly Tool[]): ToolRegistry {
  const byName = new Map<string, Tool>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new TypeError(`two tools are named "${tool.name}"`);
    byName.set(tool.name, tool);
  }
  const specs = tools.map(
    (tool): AgentToolSpec => ({
      name: tool.name,
      description: tool.description,
      parameters: z.json().parse(z.toJSONSchema(tool.inputSchema, { io: 'input' })) as Record<string, JsonValue>,
    }),
  );
  return { get: (name) => byName.get(name), specs };
}
