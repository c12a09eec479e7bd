import { DEFAULT_PROMPT_MAX_CHARS } from '@threadcast/contract';
import { TRPCError } from '@trpc/server';

/** What one user, and one server process, may ask for. Each is an env variable of the server (in parentheses). */
export interface ApiLimits {
  /** Open `thread.onEvent` streams per user on this server process (STREAMS_PER_USER). */
  streamsPerUser: number;
  /** Open streams on this server process, all users together (STREAMS_PER_SERVER). */
  streamsPerServer: number;
  /** `run.start` calls per user per minute, across every server on the same engine (RUN_STARTS_PER_MINUTE). */
  runStartsPerMinute: number;
  /** Characters of a prompt (PROMPT_MAX_CHARS). */
  promptMaxChars: number;
  /** Bytes of any procedure's input, as JSON (INPUT_MAX_BYTES). */
  inputMaxBytes: number;
}

export const DEFAULT_LIMITS: ApiLimits = {
  streamsPerUser: 20,
  streamsPerServer: 10_000,
  runStartsPerMinute: 20,
  promptMaxChars: DEFAULT_PROMPT_MAX_CHARS,
  inputMaxBytes: 64 * 1024,
};

export function tooLarge(what: string, size: number, unit: string, limitName: string, limit: number): TRPCError {
  return new TRPCError({
    code: 'PAYLOAD_TOO_LARGE',
    message: `${what} is ${size} ${unit}; the limit (${limitName}) is ${limit}`,
  });
}

/**
 * Counts the open streams of this process, per user and in all. `open` takes a slot or refuses with
 * TOO_MANY_REQUESTS; the function it returns gives the slot back (once, however often it is called).
 */
export class StreamSlots {
  private readonly perUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: Pick<ApiLimits, 'streamsPerUser' | 'streamsPerServer'>) {}

  open(userId: string): () => void {
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= this.limits.streamsPerUser) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `you have ${mine} streams open on this server; the limit (STREAMS_PER_USER) is ${this.limits.streamsPerUser}`,
      });
    }
    if (this.total >= this.limits.streamsPerServer) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `this server holds ${this.total} streams; the limit (STREAMS_PER_SERVER) is ${this.limits.streamsPerServer}: try again shortly`,
      });
    }
    this.perUser.set(userId, mine + 1);
    this.total += 1;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.total -= 1;
      const left = (this.perUser.get(userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(userId, left);
      else this.perUser.delete(userId);
    };
  }

  /** Streams open now, all users together. */
  get count(): number {
    return this.total;
  }
}
