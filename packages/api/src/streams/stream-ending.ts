import { SlowConsumerError } from '@threadcast/bus';
import { TRPCError } from '@trpc/server';

/** Why a stream ended, as its close log line and the metrics name it. */
export type StreamCloseReason =
  | 'client_closed'
  | 'token_expired'
  | 'max_duration'
  | 'slow_consumer'
  | 'interrupted'
  | 'ended';

/**
 * A reason to end a stream that is not a failure of its source: handed to `GuardedStream.end`, the one verb
 * that ends a stream, by whoever decides it (the writer when the client leaves, the gate, the stream's timer).
 * Anything else given to `end` is a failure of the source; nothing (undefined) is the source's own end.
 */
export class StreamEnding {
  private constructor(
    readonly reason: 'client_closed' | 'token_expired' | 'max_duration' | 'unavailable',
    /** What the client is told; null for a client that is gone. */
    readonly error: TRPCError | null,
  ) {}

  static readonly clientGone = new StreamEnding('client_closed', null);

  /** The gate ends the stream (draining, backend down): the client reconnects and resumes elsewhere. */
  static unavailable(reason: string): StreamEnding {
    return new StreamEnding('unavailable', streamUnavailable(reason));
  }

  static tokenExpired(): StreamEnding {
    return new StreamEnding(
      'token_expired',
      new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'the token expired: refresh it and resume from the last event id',
      }),
    );
  }

  /** The stream reached the longest time it may stay open (`maxDurationMs`, or the longest a timer can wait). */
  static maxDuration(): StreamEnding {
    return new StreamEnding(
      'max_duration',
      new TRPCError({
        code: 'SERVICE_UNAVAILABLE',
        message: 'the stream reached its longest duration: reconnect and resume from the last event id',
      }),
    );
  }
}

/** The retryable error of a stream that cannot open or go on here now. */
export function streamUnavailable(reason: string): TRPCError {
  return new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: `${reason}: reconnect and resume from the last event id`,
  });
}

/**
 * A stream that broke after it started (the client fell behind, the bus became unreachable) ends with a
 * retryable code: tRPC clients treat it as a reason to reconnect, and they resume from their last id.
 */
export function interruptedStream(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const message =
    error instanceof SlowConsumerError
      ? error.message
      : 'the event stream was interrupted; reconnect and resume from the last event id';
  return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message, cause: error });
}

/** The close reason of a stream that ended with `why` (see `StreamEnding`). */
export function closeReasonOf(why: unknown): StreamCloseReason {
  if (why === undefined) return 'ended';
  if (why instanceof StreamEnding) return why.reason === 'unavailable' ? 'ended' : why.reason;
  if (why instanceof SlowConsumerError) return 'slow_consumer';
  return 'interrupted';
}

/** What the client is told as the stream ends: an error to act on, or undefined for a plain end (`return`). */
export function outcomeOf(why: unknown): TRPCError | undefined {
  if (why === undefined) return undefined;
  if (why instanceof StreamEnding) return why.error ?? undefined;
  return interruptedStream(why);
}
