import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StreamEnding } from './stream-ending.ts';
import { StreamGate, type StreamPass } from './stream-gate.ts';

/** Binds a stream to each pass that records what the gate ended it with, and gives the pass back as a stream would. */
function bindRecorders(passes: StreamPass[], onEnd: (pass: StreamPass) => void = () => {}) {
  const endings = new Map<StreamPass, StreamEnding>();
  for (const pass of passes) {
    pass.bind({
      end(why) {
        endings.set(pass, why);
        onEnd(pass);
        pass.release();
      },
    });
  }
  return endings;
}

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
    const endings = bindRecorders(passes, (pass) => endedAt.set(pass, performance.now()));
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
    expect(new Set([...endings.values()].map((why) => `${why.reason} ${why.error?.message}`))).toEqual(
      new Set(['unavailable draining: reconnect and resume from the last event id']),
    );
    await gate.whenEmpty();
  });

  it('skips streams that ended by themselves and leaves the rest open when stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const gate = new StreamGate();
    const passes = Array.from({ length: 4 }, () => gate.admit());
    const endings = bindRecorders(passes);
    const ending = gate.endOpen('redis is unreachable', 4_000);
    expect(endings.size).toBe(1);
    for (const pass of passes) if (!endings.has(pass)) pass.release();
    await vi.advanceTimersByTimeAsync(4_000);
    await ending;
    expect(endings.size).toBe(1);

    const later = Array.from({ length: 4 }, () => gate.admit());
    const laterEndings = bindRecorders(later);
    const stopped = gate.endOpen('redis is unreachable', 4_000);
    gate.stopEnding();
    await stopped;
    await vi.advanceTimersByTimeAsync(4_000);
    expect(laterEndings.size).toBe(1);
    expect(gate.size).toBe(3);
  });

  it('ends every stream at once with a window of 0, and whenEmpty waits for the last release', async () => {
    const gate = new StreamGate();
    const passes = Array.from({ length: 3 }, () => gate.admit());
    await gate.endOpen('draining', 0);
    // Not yet bound to a stream: each is ended as soon as one binds to it.
    expect(passes.every((pass) => pass.stopped)).toBe(true);
    const told: StreamEnding[] = [];
    for (const pass of passes) pass.bind({ end: (why) => told.push(why) });
    expect(told.map((why) => why.reason)).toEqual(['unavailable', 'unavailable', 'unavailable']);
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
