import { silentLogger } from '@threadcast/bus';
import { openBackend } from '@threadcast/store/backend';
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenService } from './auth/token-service.ts';
import { createContextFactory } from './context.ts';
import { appRouter } from './root.ts';
import { StreamGate, type StreamPass } from './stream-gate.ts';

function refusal(admit: () => unknown): string {
  try {
    admit();
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'admitted';
}

describe('StreamGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits while there is no reason to refuse, and refuses with SERVICE_UNAVAILABLE and the reason', () => {
    let reason: string | null = null;
    const gate = new StreamGate(() => reason);
    const pass = gate.admit();
    reason = 'this server is shutting down';
    expect(refusal(() => gate.admit())).toBe(
      'SERVICE_UNAVAILABLE: this server is shutting down: reconnect and resume from the last event id',
    );
    expect(gate.size).toBe(1);
    pass.release();
    pass.release();
    expect(gate.size).toBe(0);
  });

  it('ends the open streams one after another, evenly over the window, each with the reason', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const gate = new StreamGate();
    const passes = Array.from({ length: 10 }, () => gate.admit());
    const endedAt = new Map<StreamPass, number>();
    for (const pass of passes) {
      pass.bind({
        halt() {
          endedAt.set(pass, performance.now());
          pass.release();
        },
      });
    }
    const start = performance.now();
    let finished = false;
    const ending = gate.endOpen('draining', 1_000).then(() => {
      finished = true;
    });
    expect(endedAt.size).toBe(1);
    await vi.advanceTimersByTimeAsync(450);
    expect(endedAt.size).toBe(5);
    expect(finished).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    await ending;
    expect(endedAt.size).toBe(10);
    const times = [...endedAt.values()].map((at) => at - start).sort((a, b) => a - b);
    expect(times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(passes.every((pass) => pass.ended === 'draining')).toBe(true);
    await gate.whenEmpty();
  });

  it('skips streams that ended by themselves and leaves the rest open when stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const gate = new StreamGate();
    const passes = Array.from({ length: 4 }, () => gate.admit());
    const ending = gate.endOpen('redis is unreachable', 4_000);
    const first = passes.filter((pass) => pass.stopped);
    expect(first).toHaveLength(1);
    for (const pass of passes) if (!pass.stopped) pass.release();
    await vi.advanceTimersByTimeAsync(4_000);
    await ending;
    expect(passes.filter((pass) => pass.stopped)).toEqual(first);

    const later = Array.from({ length: 4 }, () => gate.admit());
    const stopped = gate.endOpen('redis is unreachable', 4_000);
    gate.stopEnding();
    await stopped;
    await vi.advanceTimersByTimeAsync(4_000);
    expect(later.filter((pass) => pass.stopped)).toHaveLength(1);
    expect(gate.size).toBe(4 + 1);
  });

  it('ends every stream at once with a window of 0, and whenEmpty waits for the last release', async () => {
    const gate = new StreamGate();
    const passes = Array.from({ length: 3 }, () => gate.admit());
    await gate.endOpen('draining', 0);
    expect(passes.every((pass) => pass.stopped)).toBe(true);
    let empty = false;
    const emptied = gate.whenEmpty().then(() => {
      empty = true;
    });
    passes[0]?.release();
    passes[1]?.release();
    await Promise.resolve();
    expect(empty).toBe(false);
    passes[2]?.release();
    await emptied;
    expect(empty).toBe(true);
  });
});

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
