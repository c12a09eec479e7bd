import { openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { describe, expect, it } from 'vitest';
import { TokenService } from '../auth/token-service.ts';
import { createContextFactory } from '../context.ts';
import { appRouter } from '../root.ts';
import { StreamGate } from './stream-gate.ts';

describe('thread.onEvent behind a gate', () => {
  it('is refused while the gate refuses, and ended with SERVICE_UNAVAILABLE (never a plain end) by endOpen', async () => {
    let reason: string | null = null;
    const gate = new StreamGate(() => reason);
    const backend = openBackend({});
    const tokens = new TokenService({ secret: 'stream-gate-test-secret-long-enough-for-hs256' });
    const { token } = await tokens.issue({ id: 'u1', name: 'Ursula' });
    const createContext = createContextFactory({
      ...backend,
      tokens,
      devLoginEnabled: false,
      logger: silentLogger,
      gate,
    });
    const caller = appRouter.createCaller(
      await createContext({ req: { headers: { authorization: `Bearer ${token}` } } }),
    );
    const { threadId } = await caller.thread.create({});
    const stream = await caller.thread.onEvent({ threadId });
    const iterator = stream[Symbol.asyncIterator]();
    const next = iterator.next();
    await expect.poll(() => gate.size).toBe(1);
    await gate.endOpen('this server is shutting down', 0);
    await expect(next).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'this server is shutting down: reconnect and resume from the last event id',
    });
    expect(gate.size).toBe(0);

    reason = 'redis is unreachable';
    await expect(caller.thread.onEvent({ threadId })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'redis is unreachable: reconnect and resume from the last event id',
    });
    expect(gate.size).toBe(0);
    await backend.close();
  });
});
