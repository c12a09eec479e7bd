import { ProducerEndedError } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { Usage } from '@threadcast/contract';
import type { RunStore, ToolDecision } from '@threadcast/store';
import type { Agent, AgentMessage } from './agent.ts';
import { newApprovalId } from './approval-id.ts';
import { streamModelStep } from './model-step.ts';
import type { LoopState, StepCall } from './run-checkpoint.ts';
import type { RunPublisher } from './run-publisher.ts';
import type { RunTranscript } from './run-transcript.ts';
import { watchRunEnd } from './run-watch.ts';
import { runTool, type ToolResult } from './tool-call.ts';
import type { Tool, ToolRegistry } from './tools/tool.ts';

export const DEFAULT_MAX_STEPS = 8;

export interface AgentLoopDeps {
  agent: Agent;
  tools: ToolRegistry;
  runs: RunStore;
  runId: string;
  transcript: RunTranscript;
  publisher: RunPublisher;
  logger: Logger;
  /** Aborted when the worker stops: generation and tools stop. */
  signal: AbortSignal;
  /** Model calls a run may make (1 to 100). */
  maxSteps: number;
}

/** How the loop stopped: the run is over, or it waits for the owner to answer the calls in `awaiting`. */
export type LoopEnd =
  | { kind: 'finished'; state: LoopState }
  | { kind: 'waiting'; state: LoopState; awaiting: string[] };

/** The run was stopped by its worker (shutdown) between two steps. */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
}

interface RunnableCall {
  call: StepCall;
  tool: Tool;
  input: unknown;
}

/**
 * Model → tools → model, until a step calls no tool or `maxSteps` steps were taken. At the limit the last
 * step's calls are still answered (run, or approved or denied), so every part ends settled, but the model is
 * not called again: the run ends `done` with that step's finish reason (`tool-calls`). A call that needs
 * approval pauses the loop once the step's other calls have run; the state it returns is all it needs to go on.
 */
export class AgentLoop {
  constructor(private readonly deps: AgentLoopDeps) {
    if (!Number.isSafeInteger(deps.maxSteps) || deps.maxSteps < 1 || deps.maxSteps > 100) {
      throw new RangeError(`maxSteps must be an integer from 1 to 100, got ${deps.maxSteps}`);
    }
  }

  start(messages: AgentMessage[]): Promise<LoopEnd> {
    return this.continue({ messages, step: 0, calls: [] });
  }

  /** Goes on after a pause with the owner's answer to one of the calls that wait. */
  async resume(state: LoopState, decision: ToolDecision): Promise<LoopEnd> {
    const call = state.calls.find((c) => c.toolCallId === decision.toolCallId && c.result === undefined);
    if (!call) {
      // A second answer to a call already answered can slip in when the run waits again for another call: it
      // is stale, and the run goes back to waiting for the calls that are still open.
      this.deps.logger.warn({ runId: this.deps.runId, toolCallId: decision.toolCallId }, 'ignored a stale tool answer');
      return this.continue(state);
    }
    const { transcript } = this.deps;
    transcript.delta({
      type: 'tool-approval-response',
      toolCallId: call.toolCallId,
      approvalId: newApprovalId(call.toolCallId),
      approved: decision.approved,
      ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    });
    if (!decision.approved) {
      transcript.delta({ type: 'tool-output-denied', toolCallId: call.toolCallId });
      call.result = `The user denied this call of ${call.toolName}${decision.reason ? `: ${decision.reason}` : ''}.`;
    } else {
      const tool = this.deps.tools.get(call.toolName);
      const input = tool?.inputSchema.safeParse(call.input);
      if (tool && input?.success) await this.runCalls([{ call, tool, input: input.data }]);
      else this.settle(call, { ok: false, errorText: `${call.toolName} is not available to this worker any more` });
    }
    return this.continue(state);
  }

  private async continue(state: LoopState): Promise<LoopEnd> {
    for (;;) {
      const awaiting = state.calls.filter((call) => call.result === undefined).map((call) => call.toolCallId);
      if (awaiting.length > 0) return { kind: 'waiting', state, awaiting };
      const calledTools = state.calls.length > 0;
      for (const call of state.calls) {
        state.messages.push({
          role: 'tool',
          toolCallId: call.toolCallId,
          toolName: call.toolName,
          content: call.result ?? '',
        });
      }
      state.calls = [];
      if (state.step > 0 && (!calledTools || state.step >= this.deps.maxSteps)) return { kind: 'finished', state };
      if (this.deps.signal.aborted) throw new RunStoppedError('the worker stopped the run between two steps');

      state.step += 1;
      const step = await streamModelStep(state.step, state.messages, this.deps);
      state.usage = addUsage(state.usage, step.usage);
      if (step.model !== undefined) state.model = step.model;
      if (step.finishReason !== undefined) state.finishReason = step.finishReason;
      else delete state.finishReason;
      if (step.text !== '' || step.toolCalls.length > 0) {
        state.messages.push({
          role: 'assistant',
          content: step.text,
          ...(step.toolCalls.length === 0
            ? {}
            : {
                toolCalls: step.toolCalls.map(({ toolCallId, toolName, argsText }) => ({
                  toolCallId,
                  toolName,
                  argsText,
                })),
              }),
        });
      }
      const runnable: RunnableCall[] = [];
      state.calls = step.toolCalls.map(({ toolCallId, toolName, checked }): StepCall => {
        if (!checked.ok) return { toolCallId, toolName, result: checked.errorText };
        const call: StepCall = { toolCallId, toolName, input: checked.json };
        if (!checked.tool.needsApproval) runnable.push({ call, tool: checked.tool, input: checked.input });
        return call;
      });
      await this.runCalls(runnable);
    }
  }

  /** Runs calls side by side, each with its timeout; a cancel of the run reaches them through their signal. */
  private async runCalls(calls: RunnableCall[]): Promise<void> {
    if (calls.length === 0) return;
    const { runs, runId, signal } = this.deps;
    const watch = watchRunEnd(runs, runId, signal);
    try {
      await Promise.all(
        calls.map(async ({ call, tool, input }) => {
          this.settle(call, await runTool(tool, input, call.toolCallId, watch.signal));
        }),
      );
    } finally {
      watch.stop();
    }
    if (watch.ended) throw new ProducerEndedError(runId);
    await this.deps.publisher.waitForRoom();
  }

  private settle(call: StepCall, result: ToolResult): void {
    const { toolCallId } = call;
    if (result.ok) {
      this.deps.transcript.delta({ type: 'tool-output-available', toolCallId, output: result.output });
      call.result = JSON.stringify(result.output);
    } else {
      this.deps.transcript.delta({ type: 'tool-output-error', toolCallId, errorText: result.errorText });
      call.result = result.errorText;
    }
    delete call.input;
  }
}

function addUsage(total: Usage | undefined, step: Usage | undefined): Usage | undefined {
  if (!step) return total;
  if (!total) return { ...step };
  return { inputTokens: total.inputTokens + step.inputTokens, outputTokens: total.outputTokens + step.outputTokens };
}
