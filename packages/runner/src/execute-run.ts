import type { EventBus, Logger } from '@threadcast/bus';
import type { RunState, StreamEvent } from '@threadcast/contract';
import type { RunJob } from '@threadcast/store';
import type { Agent } from './agent.ts';
import { createReliablePublisher } from './reliable-publish.ts';

export interface RunOutcome {
  state: Extract<RunState, 'done' | 'error' | 'cancelled'>;
  text: string;
  tokenCount: number;
}

/**
 * Streams one run onto its thread: `status` running, a `token` per token as soon as it is generated, then
 * `done` with the full text and token count, or `error` with a message; nothing after that.
 */
export async function executeRun(
  job: RunJob,
  deps: { bus: EventBus; agent: Agent; logger: Logger; signal: AbortSignal },
): Promise<RunOutcome> {
  const { bus, agent, logger, signal } = deps;
  const { runId, threadId } = job;
  const publishReliably = createReliablePublisher({ bus, logger, producer: runId });
  const publish = (event: DistributiveOmit<StreamEvent, 'threadId' | 'ts' | 'runId'>) =>
    publishReliably({ ...event, threadId, runId, ts: Date.now() } as StreamEvent);

  await publish({ type: 'status', content: { state: 'running', runId } });
  let text = '';
  let tokenCount = 0;
  try {
    for await (const chunk of agent.reply({ prompt: job.prompt, history: [], signal })) {
      if (chunk.type === 'token') {
        text += chunk.text;
        tokenCount += 1;
        await publish({ type: 'token', content: chunk.text });
      } else {
        await publish({ type: 'delta', content: chunk.data });
      }
    }
  } catch (error) {
    if (!signal.aborted) {
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, runId, threadId }, 'run failed');
      await publish({ type: 'error', content: { message, runId } });
      return { state: 'error', text, tokenCount };
    }
  }
  if (signal.aborted) {
    const reason = 'the worker stopped before the run finished';
    await publish({ type: 'error', content: { message: reason, runId } });
    return { state: 'error', text, tokenCount };
  }
  await publish({ type: 'done', content: { runId, text, tokenCount } });
  return { state: 'done', text, tokenCount };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
