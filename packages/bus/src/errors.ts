/** A subscriber fell so far behind that its queue hit the limit; it may resume from its last event id. */
export class SlowConsumerError extends Error {
  override name = 'SlowConsumerError';
  constructor(readonly limit: number) {
    super(`subscriber fell ${limit} events behind and was disconnected; resume from the last event id`);
  }
}

/** An event that does not match the contract was offered to `publish`. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** An event whose JSON is larger than the bus accepts (`maxEventBytes`). */
export class EventTooLargeError extends InvalidEventError {
  override name = 'EventTooLargeError';
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the event is ${bytes} bytes; the limit (EVENT_MAX_BYTES) is ${limit}`);
  }
}

/** The producer (a run) already published its final event; nothing more of it is stored. */
export class ProducerEndedError extends Error {
  override name = 'ProducerEndedError';
  constructor(readonly producer: string) {
    super(`${producer} has ended; its later events are refused`);
  }
}

/**
 * An event of a producer arrived ahead of one it has not stored yet (an earlier publish failed): it is
 * refused, so the producer retries from the missing one and its events land in order.
 */
export class OutOfOrderError extends Error {
  override name = 'OutOfOrderError';
  constructor(
    readonly producer: string,
    readonly sequence: number,
  ) {
    super(`${producer}: event ${sequence} arrived before the one preceding it was stored`);
  }
}

/**
 * An event was stored, but fewer replicas than asked (`publishReplicas`) confirmed it in time: a failover now
 * could lose it. Publishing it again is safe (an idempotent producer's retry is answered as a duplicate).
 */
export class ReplicationTimeoutError extends Error {
  override name = 'ReplicationTimeoutError';
  constructor(
    readonly confirmed: number,
    readonly wanted: number,
    readonly timeoutMs: number,
  ) {
    super(`the event is stored, but ${confirmed} of ${wanted} replica(s) confirmed it within ${timeoutMs} ms`);
  }
}

/**
 * Redis refused a command while storing the event (or one published just before it in the same call), so nothing of
 * it was stored: publishing it again is safe.
 */
export class PublishRefusedError extends Error {
  override name = 'PublishRefusedError';
  constructor(readonly reason: string) {
    super(`redis refused to store the event: ${reason}`);
  }
}
