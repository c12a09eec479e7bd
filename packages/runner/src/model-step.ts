import type { Logger } from '@threadcast/common';
import { dataPartSchema, type FinishReason, sourceUrlPartSchema, type Usage } from '@threadcast/contract';
import type { Agent, AgentMessage } from './agent.ts';
import { newApprovalId } from './approval-id.ts';
import type { RunPublisher } from './run-publisher.ts';
import type { RunTranscript } from './run-transcript.ts';
import { type CheckedToolCall, checkToolCall, partToolName } from './tool-call.ts';
import type { ToolRegistry } from './tools/tool.ts';

/** A tool call as the model finished writing it, checked against the registry. */
export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  argsText: string;
  checked: CheckedToolCall;
}

/** What one model call produced besides the events it published. */
export interface ModelStep {
  text: string;
  toolCalls: ModelToolCall[];
  finishReason?: FinishReason;
  usage?: Usage;
  model?: string;
}

export interface ModelStepDeps {
  agent: Agent;
  tools: ToolRegistry;
  transcript: RunTranscript;
  publisher: RunPublisher;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Streams one model call onto the thread between `start-step` and `finish-step`. The step starts with the
 * model's first chunk, so a call that fails before it sent anything leaves no empty step behind. Text as `token` events,
 * reasoning as blocks with ids of their own (`r<step>-<n>`), tool calls as their input parts (checked as each
 * completes, and an approval request for a tool that needs one), sources and
 * data parts as they come (a malformed one is dropped with a warning rather than failing the run).
 */
export async function streamModelStep(step: number, messages: AgentMessage[], deps: ModelStepDeps): Promise<ModelStep> {
  const { transcript, publisher, logger } = deps;
  const result: ModelStep = { text: '', toolCalls: [] };
  const started = new Set<string>();
  let reasoningId: string | null = null;
  let reasoningBlocks = 0;
  const endReasoning = () => {
    if (reasoningId === null) return;
    transcript.delta({ type: 'reasoning-end', id: reasoningId });
    reasoningId = null;
  };
  const startTool = (toolCallId: string, toolName: string) => {
    if (started.has(toolCallId)) return;
    started.add(toolCallId);
    transcript.delta({ type: 'tool-input-start', toolCallId, toolName: partToolName(toolName) });
  };

  let stepStarted = false;
  const startStep = () => {
    stepStarted = true;
    transcript.delta({ type: 'start-step' });
  };
  for await (const chunk of deps.agent.reply({ messages, tools: [...deps.tools.specs], signal: deps.signal })) {
    if (!stepStarted) startStep();
    if (chunk.type === 'token') {
      if (reasoningId !== null) endReasoning();
      transcript.token(chunk.text);
      result.text += chunk.text;
      await publisher.waitForRoom();
      continue;
    }
    if (chunk.type === 'reasoning') {
      if (reasoningId === null) {
        reasoningBlocks += 1;
        reasoningId = `r${step}-${reasoningBlocks}`;
        transcript.delta({ type: 'reasoning-start', id: reasoningId });
      }
      transcript.delta({ type: 'reasoning-delta', id: reasoningId, delta: chunk.text });
      await publisher.waitForRoom();
      continue;
    }
    endReasoning();
    switch (chunk.type) {
      case 'tool-call-start':
        startTool(chunk.toolCallId, chunk.toolName);
        break;
      case 'tool-call-delta':
        transcript.delta({
          type: 'tool-input-delta',
          toolCallId: chunk.toolCallId,
          inputTextDelta: chunk.argsTextDelta,
        });
        break;
      case 'tool-call': {
        startTool(chunk.toolCallId, chunk.toolName);
        const checked = checkToolCall(deps.tools, chunk.toolName, chunk.argsText);
        const { toolCallId } = chunk;
        const toolName = partToolName(chunk.toolName);
        if (checked.ok) {
          transcript.delta({ type: 'tool-input-available', toolCallId, toolName, input: checked.json });
          if (checked.tool.needsApproval) {
            transcript.delta({ type: 'tool-approval-request', toolCallId, approvalId: newApprovalId(toolCallId) });
          }
        } else {
          transcript.delta({
            type: 'tool-input-error',
            toolCallId,
            toolName,
            input: checked.input,
            errorText: checked.errorText,
          });
        }
        result.toolCalls.push({ toolCallId, toolName: chunk.toolName, argsText: chunk.argsText, checked });
        break;
      }
      case 'source': {
        const part = sourceUrlPartSchema.safeParse({ type: 'source-url', ...withoutType(chunk) });
        if (part.success) transcript.delta(part.data);
        else logger.warn({ url: chunk.url }, 'dropped a source the contract does not accept');
        break;
      }
      case 'data': {
        const part = dataPartSchema.safeParse(chunk.part);
        if (part.success) transcript.delta(part.data);
        else logger.warn({ type: chunk.part.type }, 'dropped a data part the contract does not accept');
        break;
      }
      case 'finish':
        result.finishReason = chunk.finishReason;
        if (chunk.usage) result.usage = chunk.usage;
        if (chunk.model !== undefined) result.model = chunk.model;
        break;
    }
    await publisher.waitForRoom();
  }
  endReasoning();
  if (!stepStarted) startStep();
  transcript.delta({ type: 'finish-step' });
  return result;
}

function withoutType<T extends { type: string }>(chunk: T): Omit<T, 'type'> {
  const { type: _type, ...rest } = chunk;
  return rest;
}
