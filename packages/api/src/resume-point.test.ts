import { MemoryEventBus } from '@threadcast/bus';
import type { StreamEvent } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import { latestRunStart } from './resume-point.ts';

const status = (runId: string, state: 'queued' | 'running'): StreamEvent => ({
  type: 'status',
  threadId: 't1',
  ts: 1,
  runId,
  content: { state, runId },
});
const token = (content: string): StreamEvent => ({ type: 'token', threadId: 't1', ts: 1, runId: 'r2', content });

describe('latestRunStart', () => {
  it('is the beginning for a thread with no history', async () => {
    expect(await latestRunStart(new MemoryEventBus(), 't1')).toBeNull();
  });

  it('is just before the latest queued run', async () => {
    const bus = new MemoryEventBus();
    await bus.publish(status('r1', 'queued'));
    await bus.publish(token('old'));
    const queued = await bus.publish(status('r2', 'queued'));
    await bus.publish(token('new'));
    expect(await latestRunStart(bus, 't1')).toEqual({ epoch: queued.position.epoch, seq: queued.position.seq - 1 });
  });

  it('is after the newest event when no run start is retained', async () => {
    const bus = new MemoryEventBus();
    await bus.publish(token('a'));
    const last = await bus.publish(token('b'));
    expect(await latestRunStart(bus, 't1')).toEqual(last.position);
  });

  it('finds a run start further back than the first look, reading only as much as it needs', async () => {
    const bus = new MemoryEventBus({ historyLimit: 10_000 });
    const queued = await bus.publish(status('r2', 'queued'));
    for (let i = 0; i < 1_000; i += 1) await bus.publish(token(`t${i}`));
    const limits: (number | undefined)[] = [];
    const history = bus.history.bind(bus);
    bus.history = (threadId, options) => {
      limits.push(options?.limit);
      return history(threadId, options);
    };
    expect(await latestRunStart(bus, 't1')).toEqual({ epoch: queued.position.epoch, seq: queued.position.seq - 1 });
    expect(limits).toEqual([256, 4_096]);
  });
});
