import { type EventBus, ProducerEndedError } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import type { RunState, StreamEvent } from '@threadcast/contract';
import { endRun, type RunEndPatch, type RunJob, type RunRecord, type RunStore } from '@threadcast/store';
import type { Agent, AgentMessage } from './agent.ts';
import { RunPublisher } from './run-publisher.ts';

export interface RunOutcome {
  /** How the run ended; `skipped` when it had already ended before this worker started it (cancelled). */
  state: Extract<RunState, 'done' | 'error' | 'cancelled'> | 'skipped';
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
 * Streams one run onto its thread: `status` running, a `token` per token as soon as it is generated
 * (pipelined), then its end (`done` with the full text and token count, or `error`). The run store gates
 * every state change, so a run that was cancelled or reaped meanwhile is left alone: its end was already
 * published, the bus refuses anything more of it, and generation stops at the next token.
 */
export async function executeRun(job: RunJob, deps: ExecuteRunDeps): Promise<RunOutcome> {
  const { bus, runs, agent, logger, signal } = deps;
  const { runId, threadId } = job;
  if (!(await runs.transition(runId, 'running'))) return { state: 'skipped', text: '', tokenCount: 0 };

  const { metrics } = deps;
  const publisher = new RunPublisher({
    bus,
    logger,
    producer: runId,
    window: deps.publishWindow,
    onStored: metrics && ((stored) => stored.type === 'token' && metrics.tokensPublished(1)),
  });
  const event = (partial: DistributiveOmit<StreamEvent, 'threadId' | 'ts' | 'runId'>) =>
    ({ ...partial, threadId, runId, ts: Date.now() }) as StreamEvent;
  const generation = new AbortController();
  const stopGeneration = () => generation.abort();
  signal.addEventListener('abort', stopGeneration, { once: true });

  let text = '';
  let tokenCount = 0;
  let agentError: unknown = null;
  try {
    publisher.push(event({ type: 'status', content: { state: 'running', runId } }));
    await publisher.flush();
    const history = await conversation(runs, job);
    for await (const chunk of agent.reply({
      messages: [...history, { role: 'user', content: job.prompt }],
      tools: [],
      signal: generation.signal,
    })) {
      if (chunk.type === 'token') {
        text += chunk.text;
        tokenCount += 1;
        publisher.push(event({ type: 'token', content: chunk.text }));
      }
      await publisher.waitForRoom();
    }
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

  const finish = async (to: 'done' | 'error', patch: RunEndPatch): Promise<RunOutcome> => {
    const ended = await endRun({ bus, runs }, job, to, patch);
    return { state: ended ? to : endedState(await runs.get(runId)), text, tokenCount };
  };
  // Cancelled or reaped while it ran: that end is already on the thread.
  if (agentError instanceof ProducerEndedError) return { state: endedState(await runs.get(runId)), text, tokenCount };
  if (signal.aborted) return finish('error', { reason: STOPPED });
  if (agentError !== null) {
    logger.error({ err: agentError, runId, threadId }, 'run failed');
    return finish('error', { reason: agentError instanceof Error ? agentError.message : String(agentError) });
  }
  return finish('done', { text, tokenCount });
}

function endedState(record: RunRecord | null): RunOutcome['state'] {
  return record?.state === 'done' || record?.state === 'cancelled' ? record.state : 'error';
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
