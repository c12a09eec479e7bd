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
