import type { StreamEvent } from '@threadcast/contract';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event-bus.ts';
import { type LiveItem, type LiveListener, subscribeThread } from './ordered-feed.ts';

const token = (content: string): StreamEvent => ({ type: 'token', threadId: 't1', ts: 1, content });
const kept = (seq: number, content: string): StoredEvent => ({
  id: `ep:${seq}`,
  position: { epoch: 'ep', seq },
  event: token(content),
});

describe('subscribeThread', () => {
  it('numbers a live-only event after what this subscriber has seen, not after the head', async () => {
    let listener: LiveListener | null = null;
    const deliver = (item: LiveItem) => listener?.push(item);
    const controller = new AbortController();
    const subscription = subscribeThread(
      {
        join: async (_threadId, joined) => {
          listener = joined;
        },
        leave: () => {
          listener = null;
        },
        readAfter: async () => ({ epoch: null, events: [] }),
        // Event 1 is already stored, but its live copy reaches this subscriber after the bare event.
        head: async () => ({ epoch: 'ep', seq: 1 }),
      },
      't1',
      { after: null, signal: controller.signal },
      10,
    );
    const first = subscription.next();
    await new Promise((resolve) => setImmediate(resolve));
    deliver({ liveOnly: token('bare') });
    deliver(kept(1, 'one'));
    const received = [(await first).value, (await subscription.next()).value];
    controller.abort();
    expect(received.map((e) => [e?.id, e?.event.content])).toEqual([
      ['ep:0.1', 'bare'],
      ['ep:1', 'one'],
    ]);
  });
});
