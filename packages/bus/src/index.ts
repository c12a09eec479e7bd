export { backoffDelay } from './backoff.ts';
export { DEFAULT_MAX_EVENT_BYTES } from './encode-event.ts';
export * from './errors.ts';
export * from './event-bus.ts';
export * from './logger.ts';
export { MemoryEventBus, type MemoryEventBusConfig } from './memory/memory-event-bus.ts';
export { PullQueue, type PullSource } from './pull-queue.ts';
export { withTimeout } from './timeout.ts';
