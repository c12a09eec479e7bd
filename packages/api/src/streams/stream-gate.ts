import { StreamEnding, streamUnavailable } from './stream-ending.ts';

/** What a pass ends when the gate ends its stream: the stream itself (`GuardedStream.end`). */
export interface Endable {
  end(why: StreamEnding): void;
}

/**
 * An admitted stream's hold on the gate; `release` (or disposing it) gives it back, once. The gate ends the
 * stream bound to it through it (`end`), at most once, and never one already released.
 */
export class StreamPass implements Disposable {
  private target: Endable | null = null;
  private ending: StreamEnding | null = null;
  private released = false;

  constructor(private readonly gate: StreamGate) {}

  /** The stream the gate ends through this pass; ended at once if the gate already ended it. */
  bind(target: Endable): void {
    this.target = target;
    if (this.ending !== null) target.end(this.ending);
  }

  /** Whether its stream ended, or was told to. */
  get stopped(): boolean {
    return this.released || this.ending !== null;
  }

  /** Called by the gate; a no-op for a stream that already ended or was already told to. */
  end(reason: string): void {
    if (this.released || this.ending !== null) return;
    this.ending = StreamEnding.unavailable(reason);
    this.target?.end(this.ending);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.target = null;
    this.gate.release(this);
  }

  [Symbol.dispose](): void {
    this.release();
  }
}

/**
 * Admission of this process's streams, driven by its lifecycle. While `refusal` names a reason (the server
 * is draining, its backend is unreachable), new streams are refused with SERVICE_UNAVAILABLE, a code tRPC
 * clients reconnect on; `endOpen` ends the open streams with the same retryable error, spread over a
 * window so their clients do not all reconnect in the same instant. Each client resumes from its last
 * event id wherever it lands. Ending with an error rather than tRPC's `return` is deliberate: `return`
 * tells the client the subscription is over, and it stops.
 */
export class StreamGate {
  private readonly open = new Set<StreamPass>();
  private ending: ReturnType<typeof setTimeout> | undefined;
  private finishEnding: (() => void) | null = null;
  private emptyWaiters: (() => void)[] = [];

  /** `refusal` is asked on every admission: a reason to refuse new streams now, or null to admit them. */
  constructor(private readonly refusal: () => string | null = () => null) {}

  /** Admits a stream, or throws SERVICE_UNAVAILABLE with the reason it cannot open now. */
  admit(): StreamPass {
    const reason = this.refusal();
    if (reason !== null) throw streamUnavailable(reason);
    const pass = new StreamPass(this);
    this.open.add(pass);
    return pass;
  }

  /** Gives a pass back (`StreamPass.release`); a no-op for one already given back. */
  release(pass: StreamPass): void {
    if (!this.open.delete(pass) || this.open.size > 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Ends every stream open now, one after another in random order, evenly over `spreadMs` (all at once for
   * 0). Resolves when the last one was told to end, or when `stopEnding` or another `endOpen` cuts it short.
   */
  endOpen(reason: string, spreadMs: number): Promise<void> {
    this.stopEnding();
    // A stream already ending (told to by a gate, or on its own, and not yet gone) takes no slot of the new window.
    const victims = shuffle([...this.open].filter((pass) => !pass.stopped));
    const started = performance.now();
    let next = 0;
    return new Promise((resolve) => {
      this.finishEnding = resolve;
      const step = () => {
        const elapsed = performance.now() - started;
        // Stream i is due at i/n of the window: the first at once, the last just before its end.
        const due = spreadMs > 0 ? Math.floor((elapsed / spreadMs) * victims.length) + 1 : victims.length;
        for (; next < Math.min(due, victims.length); next += 1) {
          const victim = victims[next] as StreamPass;
          if (!this.open.has(victim)) continue;
          victim.end(reason);
        }
        if (next >= victims.length) {
          this.stopEnding();
          return;
        }
        this.ending = setTimeout(step, Math.max(1, (next / victims.length) * spreadMs - elapsed));
      };
      step();
    });
  }

  /** Cancels an `endOpen` in progress: the streams it had not reached yet stay open. */
  stopEnding(): void {
    clearTimeout(this.ending);
    this.ending = undefined;
    const finish = this.finishEnding;
    this.finishEnding = null;
    finish?.();
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** Resolves once no stream is open (at once if none is). */
  whenEmpty(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
