import { type EventBus, ProducerEndedError } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import { endRun, type RunEndPatch, type RunJob, type RunRecord, type RunStore } from '@threadcast/store';
import type { UIMessageChunk } from 'ai';
import type { RunOutcome } from '../execute-run.ts';
import { RunPublisher } from '../run-publisher.ts';
import { RunTranscript } from '../run-transcript.ts';
import { publishUIMessageStream, type UIMessageStreamEnd } from './publish-ui-message-stream.ts';

/**
 * Produces a run's reply with an AI SDK backend: typically `streamText({ …, abortSignal: signal })
 * .toUIMessageStream({ messageMetadata })`, whose `finish` metadata may carry `{ usage, model }`. The signal
 * aborts when the run is cancelled or the worker stops.
 */
export type UIMessageStreamSource = (
  job: RunJob,
  signal: AbortSignal,
) => ReadableStream<UIMessageChunk> | Promise<ReadableStream<UIMessageChunk>>;

export interface ExecuteUIMessageStreamRunDeps {
  bus: EventBus;
  runs: RunStore;
  logger: Logger;
  stream: UIMessageStreamSource;
  /** Aborted when the worker can wait no longer: the run ends `error`. */
  signal: AbortSignal;
  publishWindow?: number;
}

const STOPPED = 'the worker stopped before the run finished';

/**
 * `executeRun` for a backend that runs its own agent loop (model, tools, steps) and hands threadcast the
 * result as a UI message stream: the run goes `running`, the stream is published as the run's events through
 * the same publisher (ordered, retried, stored once), and the run ends `done` with its text, parts, counts and
 * usage, or `error` with the stream's error. A cancel ends the stream's generation at its next chunk.
 */
export async function executeUIMessageStreamRun(job: RunJob, deps: ExecuteUIMessageStreamRunDeps): Promise<RunOutcome> {
  const { bus, runs, logger, signal } = deps;
  const record = await runs.transition(job.runId, 'running');
  if (!record) return { state: 'skipped', text: '', tokenCount: 0 };
  const publisher = new RunPublisher({ bus, logger, producer: job.runId, window: deps.publishWindow });
  const transcript = new RunTranscript(publisher, job.threadId, job.runId);
  const generation = new AbortController();
  const stopGeneration = () => generation.abort(signal.reason);
  signal.addEventListener('abort', stopGeneration, { once: true });

  let end: UIMessageStreamEnd | null = null;
  let failure: unknown = null;
  try {
    transcript.status('running');
    await publisher.flush();
    const stream = await deps.stream(job, generation.signal);
    end = await publishUIMessageStream(stream, { transcript, publisher, logger });
  } catch (error) {
    failure = error;
    generation.abort(error);
  } finally {
    signal.removeEventListener('abort', stopGeneration);
  }
  try {
    await publisher.flush();
  } catch (error) {
    failure ??= error;
  }

  const outcome = (state: RunOutcome['state']): RunOutcome => ({
    state,
    text: transcript.text,
    tokenCount: transcript.tokenCount,
  });
  if (failure instanceof ProducerEndedError) return outcome(endedState(await runs.get(job.runId)));
  const soFar: RunEndPatch = { parts: transcript.parts, deltaCount: transcript.deltaCount };
  let to: 'done' | 'error' = 'done';
  let patch: RunEndPatch;
  if (signal.aborted) {
    to = 'error';
    patch = { ...soFar, reason: STOPPED };
  } else if (failure !== null || end === null || end.errorText !== undefined) {
    if (failure !== null) logger.error({ err: failure, runId: job.runId }, 'UI message stream run failed');
    to = 'error';
    const reason = end?.errorText ?? (failure instanceof Error ? failure.message : String(failure));
    patch = { ...soFar, reason };
  } else {
    patch = {
      text: transcript.text,
      tokenCount: transcript.tokenCount,
      ...soFar,
      ...(end.usage === undefined ? {} : { usage: end.usage }),
      ...(end.model === undefined ? {} : { model: end.model }),
      ...(end.finishReason === undefined ? {} : { finishReason: end.finishReason }),
    };
  }
  const ended = await endRun(deps, job, to, patch);
  return ended ? outcome(to) : outcome(endedState(await runs.get(job.runId)));
}

function endedState(record: RunRecord | null): RunOutcome['state'] {
  return record?.state === 'done' || record?.state === 'cancelled' ? record.state : 'error';
}
