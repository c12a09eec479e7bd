import { type JsonValue, toolNameSchema } from '@threadcast/contract';
import { z } from 'zod';
import type { Tool, ToolRegistry } from './tools/tool.ts';

/** A call the model made, checked against the registry. */
export type CheckedToolCall =
  | { ok: true; tool: Tool; input: unknown; json: JsonValue }
  | { ok: false; input: JsonValue; errorText: string };

/** What came of running a tool: its JSON output, or what the model is told went wrong. */
export type ToolResult = { ok: true; output: JsonValue } | { ok: false; errorText: string };

/** Parses a call's arguments and checks them against its tool's schema; the tool does not run when they fail. */
export function checkToolCall(registry: ToolRegistry, toolName: string, argsText: string): CheckedToolCall {
  const tool = registry.get(toolName);
  if (!tool) {
    const known = registry.specs.map((spec) => spec.name).join(', ') || 'none';
    return { ok: false, input: argsText, errorText: `unknown tool ${quote(toolName)}; the tools are: ${known}` };
  }
  let json: JsonValue;
  try {
    // Providers send no text at all for a call without arguments.
    json = z.json().parse(JSON.parse(argsText.trim() === '' ? '{}' : argsText));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, input: argsText, errorText: `the arguments of ${tool.name} are not JSON: ${why}` };
  }
  const parsed = tool.inputSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      input: json,
      errorText: `the arguments do not fit ${tool.name}'s schema: ${z.prettifyError(parsed.error)}`,
    };
  }
  return { ok: true, tool, input: parsed.data, json };
}

/**
 * Runs a tool with its timeout and the run's signal. A tool that ignores its signal is left behind: the run
 * goes on without waiting for it.
 */
export async function runTool(
  tool: Tool,
  input: unknown,
  toolCallId: string,
  signal: AbortSignal,
): Promise<ToolResult> {
  const timeout = AbortSignal.timeout(tool.timeoutMs);
  const callSignal = AbortSignal.any([signal, timeout]);
  try {
    const output = await untilAborted(
      Promise.resolve().then(() => tool.execute(input, { signal: callSignal, toolCallId })),
      callSignal,
    );
    const json = z.json().safeParse(output);
    if (!json.success) return { ok: false, errorText: `${tool.name} returned a value that is not JSON` };
    return { ok: true, output: json.data };
  } catch (error) {
    if (signal.aborted) return { ok: false, errorText: `the run was stopped before ${tool.name} finished` };
    if (timeout.aborted) return { ok: false, errorText: `${tool.name} did not finish within ${tool.timeoutMs} ms` };
    return { ok: false, errorText: error instanceof Error ? error.message : String(error) };
  }
}

/** A tool name the contract accepts, for a part about a call that named something else (the error says what). */
export function partToolName(toolName: string): string {
  if (toolNameSchema.safeParse(toolName).success) return toolName;
  const cleaned = toolName.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63);
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
