import { backoffDelay, type EventBus, InvalidEventError, type Logger, type StoredEvent } from '@threadcast/bus';
import type { StreamEvent } from '@threadcast/contract';

export interface ReliablePublisherOptions {
  bus: EventBus;
  logger: Logger;
  /** Names this producer's events (a run id): retries of one event are stored once. */
  producer: string;
  /** How long one event may keep failing before the publisher gives up (default 30 s). */
  giveUpAfterMs?: number;
}

/**
 * Publishes a producer's events in order, retrying each with backoff while the bus is unreachable.
 * Every event carries the producer's next sequence number, so a retry whose first attempt did land
 * (the reply was lost) is recognised by the bus and not stored twice.
 */
export function createReliablePublisher(
  options: ReliablePublisherOptions,
): (event: StreamEvent) => Promise<StoredEvent> {
  const { bus, logger, producer } = options;
  const giveUpAfterMs = options.giveUpAfterMs ?? 30_000;
  let sequence = 0;
  return async (event) => {
    sequence += 1;
    const idempotency = { producer, sequence };
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await bus.publish(event, { idempotency });
      } catch (error) {
        if (error instanceof InvalidEventError || Date.now() - started > giveUpAfterMs) throw error;
        const delayMs = backoffDelay(attempt, 50, 1_000);
        logger.warn({ err: error, producer, sequence, attempt, delayMs }, 'publish failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };
}
