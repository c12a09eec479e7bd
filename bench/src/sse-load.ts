import { DeliveryCheck, type ExpectedRange } from './delivery-check.ts';
import type { Load } from './load.ts';
import { LoadRecorder, type Subscriber } from './load-recorder.ts';
import type { LoadReply, SseTarget, StreamSpec } from './protocol.ts';
import { SseStream } from './sse-stream.ts';

/** An event's `ts`, and whether it is a `status` `reset` notice (history trimmed or lost before the stream's position). */
function readEvent(data: string): { publishedAt: unknown; reset: boolean } {
  try {
    const event = JSON.parse(data) as { ts?: unknown; type?: unknown; content?: { state?: unknown } };
    return { publishedAt: event.ts, reset: event.type === 'status' && event.content?.state === 'reset' };
  } catch {
    return { publishedAt: undefined, reset: false };
  }
}

/** N SSE subscriptions against one server, opened `concurrency` at a time so the accept queue never overflows. */
export class SseLoad implements Load {
  private readonly recorder = new LoadRecorder();
  private readonly subscribers: Subscriber[] = [];
  private readonly streams: SseStream[] = [];

  static async open(
    target: SseTarget,
    specs: StreamSpec[],
    concurrency: number,
    timeoutMs: number,
  ): Promise<{ load: SseLoad; reply: LoadReply }> {
    const load = new SseLoad();
    const reply = await load.openAll(target, specs, concurrency, timeoutMs);
    return { load, reply };
  }

  private async openAll(target: SseTarget, specs: StreamSpec[], concurrency: number, timeoutMs: number) {
    let next = 0;
    let opened = 0;
    let timedOut = false;
    const openOne = async (spec: StreamSpec) => {
      const subscriber: Subscriber = {
        threadId: spec.threadId,
        check: new DeliveryCheck(),
        failed: false,
        settle: null,
      };
      this.subscribers.push(subscriber);
      const stream = new SseStream(target, spec, {
        onEvent: (id, data) => {
          const { publishedAt, reset } = readEvent(data);
          if (reset) this.recorder.reset();
          this.recorder.event(subscriber, id, publishedAt);
        },
        onHeartbeat: () => this.recorder.heartbeat(),
        onError: (message) => this.recorder.fail(subscriber, message),
      });
      this.streams.push(stream);
      try {
        await stream.opened;
        opened += 1;
      } catch {
        // counted by onError
      }
    };
    const worker = async () => {
      while (!timedOut && next < specs.length) {
        const spec = specs[next];
        next += 1;
        if (spec) await openOne(spec);
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
    });
    await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), deadline]);
    clearTimeout(timer);
    if (timedOut) {
      const unopened = specs.length - opened;
      this.recorder.noteError(`${unopened} streams did not open within ${timeoutMs} ms`);
    }
    this.recorder.markOpened();
    return {
      type: 'opened' as const,
      opened,
      failed: specs.length - opened,
      errorSamples: this.recorder.errorSamples,
    };
  }

  settle(expected: ExpectedRange[], timeoutMs: number): Promise<boolean> {
    return this.recorder.settle(this.subscribers, expected, timeoutMs);
  }

  async finish(expected: ExpectedRange[], timeoutMs: number): Promise<LoadReply> {
    const caughtUp = await this.recorder.waitForCatchUp(this.subscribers, expected, timeoutMs);
    return this.recorder.finished(this.subscribers, expected, caughtUp);
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.close();
  }
}
