import { createStreamingClient, type StreamingClient } from '@threadcast/client';
import { parseEventId, type StreamEvent } from '@threadcast/contract';
import { EventSource } from 'eventsource';
import { expect } from 'vitest';

/** Shared by the process-level suites: clients that follow a thread and checks of what they received. */

export type Received = { id: string; event: StreamEvent };

export interface Follower {
  events: Received[];
  /** Whether the stream is connected right now. */
  live(): boolean;
  /** When (performance.now()) each connection that had been live was lost. */
  drops: number[];
  tokens(): number;
  /** Resolves when the run's end (`done`, `error`, or `status` `cancelled`) arrived. */
  finished: Promise<void>;
  stop(): void;
}

export function clientOf(url: string, token: string | null): StreamingClient {
  return createStreamingClient({
    url: `${url}/trpc`,
    getToken: () => token,
    EventSource,
    reconnect: { baseDelayMs: 50, maxDelayMs: 500 },
  });
}

export function follow(client: StreamingClient, threadId: string, lastEventId?: string): Follower {
  const events: Received[] = [];
  const drops: number[] = [];
  let connected = false;
  let finish: () => void = () => {};
  let fail: (error: unknown) => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const stop = client.watchThread(threadId, {
    lastEventId,
    onEvent: (event, id) => {
      events.push({ id, event });
      if (event.type === 'done' || event.type === 'error') finish();
      if (event.type === 'status' && event.content.state === 'cancelled') finish();
    },
    onError: fail,
    onConnection: (state) => {
      if (connected && state !== 'live') drops.push(performance.now());
      connected = state === 'live';
    },
  });
  return {
    events,
    live: () => connected,
    drops,
    tokens: () => events.filter((e) => e.event.type === 'token').length,
    finished,
    stop,
  };
}

/** A prompt whose demo reply is long (the reply echoes the prompt word by word). */
export function longPrompt(words: number): string {
  return Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
}

/**
 * Every event once, in order; the tokens add up to the `done` text (after the last reset: to its tail, with a gap only
 * where a failover's fence started a new epoch).
 */
/** Returns how many characters of the reply a reset's replay lacked between two epochs (events a failover lost). */
export function expectExactlyOnce(events: Received[], options: { expectReset?: boolean } = {}): number {
  const ids = events.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (let i = 1; i < events.length; i += 1) {
    const previous = parseEventId(events[i - 1]?.id ?? '');
    const current = parseEventId(events[i]?.id ?? '');
    if (previous && current && previous.epoch === current.epoch) expect(current.seq).toBe(previous.seq + 1);
  }
  const resets = events.filter((e) => e.event.type === 'status' && e.event.content.state === 'reset');
  expect(resets.length > 0).toBe(options.expectReset ?? false);
  const done = events.at(-1)?.event;
  if (done?.type !== 'done') throw new Error(`the stream did not end with done: ${JSON.stringify(done)}`);
  const afterReset = events.slice(events.lastIndexOf(resets.at(-1) as Received) + 1);
  const tokens = afterReset.filter((e) => e.event.type === 'token');
  const text = tokens.map((e) => e.event.content).join('');
  if (!options.expectReset) {
    expect(text).toBe(done.content.text);
    return 0;
  }
  // A reset replays what the thread retains: the tail of the reply. After a failover that lost events the old
  // primary had acknowledged (replication is asynchronous: docs/deploy.md), the replay lacks them too; such a gap
  // can only fall where the fence started a new epoch, never inside one (checked above: seq + 1). So each epoch's
  // tokens are one piece of the reply, in order, the last piece its end.
  const pieces: string[] = [];
  let epoch: string | undefined;
  for (const token of tokens) {
    const current = parseEventId(token.id)?.epoch;
    if (pieces.length === 0 || current !== epoch) pieces.push('');
    pieces[pieces.length - 1] += String(token.event.content);
    epoch = current;
  }
  const reply = done.content.text;
  const [last = '', ...earlier] = pieces.reverse();
  expect(reply.endsWith(last), `the replay does not end as the reply does: …${JSON.stringify(last.slice(-80))}`).toBe(
    true,
  );
  let end = reply.length - last.length;
  let lost = 0;
  for (const piece of earlier) {
    const at = reply.lastIndexOf(piece, Math.max(0, end - piece.length));
    expect(
      at >= 0 && at + piece.length <= end,
      `a piece of the replay is not in the reply before the next one: ${JSON.stringify(piece.slice(0, 80))}`,
    ).toBe(true);
    lost += end - (at + piece.length);
    end = at;
  }
  return lost;
}

export async function signIn(url: string, name: string): Promise<{ api: StreamingClient; token: string }> {
  const { token } = await clientOf(url, null).trpc.auth.devLogin.mutate({ name });
  return { api: clientOf(url, token), token };
}
