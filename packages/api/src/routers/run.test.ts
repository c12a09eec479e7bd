import { openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenService } from '../auth/token-service.ts';
import { createContextFactory } from '../context.ts';
import { appRouter } from '../root.ts';

const backends: ReturnType<typeof openBackend>[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

/** Two users' callers on one memory backend, and a run of the owner's paused on tool call `c1`. */
async function setup() {
  const backend = openBackend({});
  backends.push(backend);
  const tokens = new TokenService({ secret: 'approve-tool-test-secret-long-enough-for-hs256' });
  const createContext = createContextFactory({ ...backend, tokens, devLoginEnabled: false, logger: silentLogger });
  const callerFor = async (id: string) => {
    const { token } = await tokens.issue({ id, name: id });
    return appRouter.createCaller(await createContext({ req: { headers: { authorization: `Bearer ${token}` } } }));
  };
  const owner = await callerFor('owner');
  const stranger = await callerFor('stranger');
  const { threadId } = await owner.thread.create({});
  const { runId } = await owner.run.start({ threadId, prompt: 'approve a note' });
  // What a worker does: take it, and pause on a call that needs approval.
  const lease = await backend.queue.take('w', new AbortController().signal);
  await lease?.complete();
  await backend.runs.transition(runId, 'running');
  await backend.runs.transition(runId, 'waiting', { awaiting: ['c1'], checkpoint: '{}' });
  return { backend, owner, stranger, runId };
}

describe('run.approveTool', () => {
  it('queues the waiting run again with the answer, once', async () => {
    const { backend, owner, runId } = await setup();
    expect(await owner.run.approveTool({ runId, toolCallId: 'c1', approved: false, reason: ' not now ' })).toEqual({
      runId,
      state: 'queued',
    });
    expect(await backend.runs.get(runId)).toMatchObject({
      state: 'queued',
      decision: { toolCallId: 'c1', approved: false, reason: 'not now' },
    });
    expect((await backend.queue.take('w', new AbortController().signal))?.job.runId).toBe(runId);
    await expect(owner.run.approveTool({ runId, toolCallId: 'c1', approved: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `run ${runId} is queued, not waiting for an approval`,
    });
  });

  it('lets exactly one of two racing answers through', async () => {
    const { owner, runId } = await setup();
    const answers = await Promise.allSettled([
      owner.run.approveTool({ runId, toolCallId: 'c1', approved: true }),
      owner.run.approveTool({ runId, toolCallId: 'c1', approved: false }),
    ]);
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = answers.find((a) => a.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'CONFLICT' });
  });

  it("answers another user's run as missing, and refuses a call that is not awaited", async () => {
    const { owner, stranger, runId } = await setup();
    await expect(stranger.run.approveTool({ runId, toolCallId: 'c1', approved: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `run ${runId} not found`,
    });
    await expect(owner.run.approveTool({ runId, toolCallId: 'c2', approved: true })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `run ${runId} does not await approval of tool call c2`,
    });
    await expect(owner.run.approveTool({ runId, toolCallId: '', approved: true })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await owner.run.cancel({ runId })).toEqual({ runId, state: 'cancelled' });
    await expect(owner.run.approveTool({ runId, toolCallId: 'c1', approved: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `run ${runId} is cancelled, not waiting for an approval`,
    });
  });
});
