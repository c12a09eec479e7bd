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

/** Every event once, in order; the tokens add up to the `done` text (after the last reset, to its tail). */
export function expectExactlyOnce(events: Received[], options: { expectReset?: boolean } = {}): void {
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
  const text = afterReset.flatMap((e) => (e.event.type === 'token' ? [e.event.content] : [])).join('');
  if (options.expectReset) expect(done.content.text.endsWith(text)).toBe(true);
  else expect(text).toBe(done.content.text);
}

export async function signIn(url: string, name: string): Promise<{ api: StreamingClient; token: string }> {
  const { token } = await clientOf(url, null).trpc.auth.devLogin.mutate({ name });
  return { api: clientOf(url, token), token };
}
