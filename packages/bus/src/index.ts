export { DEFAULT_MAX_EVENT_BYTES } from './encode-event.ts';
export * from './errors.ts';
export * from './event-bus.ts';
export { MemoryEventBus, type MemoryEventBusConfig } from './memory/memory-event-bus.ts';
export { PullQueue, type PullSource } from './pull-queue.ts';
