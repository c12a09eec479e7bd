import { type EventBus, ProducerEndedError } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { RunState } from '@threadcast/contract';
import { endRun, type RunEndPatch, type RunJob, type RunRecord, type RunStore } from '@threadcast/store';
import type { Agent, AgentMessage } from './agent.ts';
import { AgentLoop, DEFAULT_MAX_STEPS, type LoopEnd } from './agent-loop.ts';
import { decodeCheckpoint, encodeCheckpoint, type LoopState, type RunCheckpoint } from './run-checkpoint.ts';
import { RunPublisher } from './run-publisher.ts';
import { RunTranscript } from './run-transcript.ts';
import { builtInToolRegistry } from './tools/built-in-tools.ts';
import type { ToolRegistry } from './tools/tool.ts';

export interface RunOutcome {
  /**
   * How the run ended, or `waiting` when it paused for an approval (no worker holds it then); `skipped` when
   * it had already ended before this worker started it (cancelled).
   */
  state: Extract<RunState, 'done' | 'error' | 'cancelled' | 'waiting'> | 'skipped';
  text: string;
  tokenCount: number;
}

export interface ExecuteRunDeps {
  bus: EventBus;
  runs: RunStore;
  agent: Agent;
  logger: Logger;
  /** Aborted when the worker can wait no longer (shutdown deadline): the run ends `error`. */
  signal: AbortSignal;
  /** Events sent before waiting for their replies. */
  publishWindow?: number;
  metrics?: WorkerMetrics;
  /** The tools the model may call (default: the built-in ones). */
  tools?: ToolRegistry;
  /** Model calls one run may make (default 8). */
  maxSteps?: number;
}

/** What a worker counts as it streams runs; the host implements it (the apps with prom-client). */
export interface WorkerMetrics {
  /** Token events of a run were stored on its thread. */
  tokensPublished(count: number): void;
}

const STOPPED = 'the worker stopped before the run finished';

/** The thread's earlier finished runs as a conversation for the agent. */
async function conversation(runs: RunStore, job: RunJob): Promise<AgentMessage[]> {
  const earlier = await runs.listByThread(job.threadId);
  return earlier
    .filter((run) => run.runId !== job.runId && run.state === 'done')
    .flatMap((run): AgentMessage[] => [
      { role: 'user', content: run.prompt },
      { role: 'assistant', content: run.text ?? '' },
    ]);
}

/**
 * Streams one run onto its thread: `status` running, then the agent loop (each step's tokens as soon as they
 * are generated, pipelined, its parts as `delta` events, its tools), then its end (`done` with the full text,
 * counts and usage, or `error`). A run paused for an approval is stored `waiting` with a checkpoint; the
 * worker that takes it up again after the answer finds the checkpoint on the record and goes on from there.
 * The run store gates every state change, so a run that was cancelled or reaped meanwhile is left alone: its
 * end was already published, the bus refuses anything more of it, and generation stops at the next event.
 */
export async function executeRun(job: RunJob, deps: ExecuteRunDeps): Promise<RunOutcome> {
  const { bus, runs, logger, signal } = deps;
  const { runId, threadId } = job;
  const record = await runs.transition(runId, 'running');
  if (!record) return { state: 'skipped', text: '', tokenCount: 0 };
  let resumed: RunCheckpoint | null = null;
  try {
    resumed = record.checkpoint === undefined ? null : decodeCheckpoint(record.checkpoint);
    if (resumed && !record.decision) throw new Error('the run was queued again without an answer to its approval');
  } catch (error) {
    logger.error({ err: error, runId, threadId }, 'run could not resume');
    return endWith(deps, job, 'error', { reason: error instanceof Error ? error.message : String(error) }, null);
  }

  const { metrics } = deps;
  const publisher = new RunPublisher({
    bus,
    logger,
    producer: runId,
    window: deps.publishWindow,
    startSequence: resumed?.nextSequence,
    onStored: metrics && ((stored) => stored.type === 'token' && metrics.tokensPublished(1)),
  });
  const transcript = new RunTranscript(publisher, threadId, runId, resumed?.transcript);
  const generation = new AbortController();
  const stopGeneration = () => generation.abort();
  signal.addEventListener('abort', stopGeneration, { once: true });
  const loop = new AgentLoop({
    agent: deps.agent,
    tools: deps.tools ?? builtInToolRegistry,
    runs,
    runId,
    transcript,
    publisher,
    logger,
    signal: generation.signal,
    maxSteps: deps.maxSteps ?? DEFAULT_MAX_STEPS,
  });

  let end: LoopEnd | null = null;
  let agentError: unknown = null;
  try {
    // A resumed run repeats the status its pause published, under the same number: stored once either way.
    if (resumed) transcript.status('waiting');
    transcript.status('running');
    await publisher.flush();
    end =
      resumed && record.decision
        ? await loop.resume(resumed.loop, record.decision)
        : await loop.start([...(await conversation(runs, job)), { role: 'user', content: job.prompt }]);
  } catch (error) {
    agentError = error;
  } finally {
    signal.removeEventListener('abort', stopGeneration);
  }
  try {
    await publisher.flush();
  } catch (error) {
    agentError ??= error;
  }

  const outcome = (state: RunOutcome['state']): RunOutcome => ({
    state,
    text: transcript.text,
    tokenCount: transcript.tokenCount,
  });
  // Cancelled or reaped while it ran: that end is already on the thread.
  if (agentError instanceof ProducerEndedError) return outcome(endedState(await runs.get(runId)));
  const soFar: RunEndPatch = { parts: transcript.parts, deltaCount: transcript.deltaCount };
  if (signal.aborted) return endWith(deps, job, 'error', { ...soFar, reason: STOPPED }, transcript);
  if (agentError !== null || end === null) {
    logger.error({ err: agentError, runId, threadId }, 'run failed');
    const reason = agentError instanceof Error ? agentError.message : String(agentError);
    return endWith(deps, job, 'error', { ...soFar, reason }, transcript);
  }
  if (end.kind === 'waiting') return pause(deps, job, end, transcript, publisher);
  const { usage, model, finishReason } = end.state;
  return endWith(
    deps,
    job,
    'done',
    {
      text: transcript.text,
      tokenCount: transcript.tokenCount,
      ...soFar,
      ...(usage === undefined ? {} : { usage }),
      ...(model === undefined ? {} : { model }),
      ...(finishReason === undefined ? {} : { finishReason }),
    },
    transcript,
  );
}

/**
 * Stores the run `waiting` with its checkpoint, then tells the thread. In that order, so that an owner who
 * sees the request can always answer it; the checkpoint names the sequence number the `waiting` status takes.
 */
async function pause(
  deps: ExecuteRunDeps,
  job: RunJob,
  end: Extract<LoopEnd, { kind: 'waiting' }>,
  transcript: RunTranscript,
  publisher: RunPublisher,
): Promise<RunOutcome> {
  const { runs } = deps;
  const outcome = (state: RunOutcome['state']): RunOutcome => ({
    state,
    text: transcript.text,
    tokenCount: transcript.tokenCount,
  });
  const checkpoint = encodeCheckpoint({
    version: 1,
    loop: end.state satisfies LoopState,
    transcript: transcript.soFar(),
    nextSequence: publisher.nextSequence,
  });
  const waiting = await runs.transition(job.runId, 'waiting', { awaiting: end.awaiting, checkpoint });
  if (!waiting) return outcome(endedState(await runs.get(job.runId)));
  try {
    transcript.status('waiting');
    await publisher.flush();
  } catch (error) {
    // Cancelled in between: the cancel published the end. Anything else: the worker that resumes publishes it.
    if (!(error instanceof ProducerEndedError)) {
      deps.logger.warn({ err: error, runId: job.runId }, 'could not announce that the run waits');
    }
    const now = await runs.get(job.runId);
    return outcome(now?.state === 'waiting' ? 'waiting' : endedState(now));
  }
  return outcome('waiting');
}

async function endWith(
  deps: ExecuteRunDeps,
  job: RunJob,
  to: 'done' | 'error',
  patch: RunEndPatch,
  transcript: RunTranscript | null,
): Promise<RunOutcome> {
  const ended = await endRun(deps, job, to, patch);
  return {
    state: ended ? to : endedState(await deps.runs.get(job.runId)),
    text: transcript?.text ?? '',
    tokenCount: transcript?.tokenCount ?? 0,
  };
}

function endedState(record: RunRecord | null): RunOutcome['state'] {
  return record?.state === 'done' || record?.state === 'cancelled' ? record.state : 'error';
}
