export { newId } from './ids.ts';
export { MemoryRunQueue } from './memory/memory-run-queue.ts';
export { MemoryThreadStore } from './memory/memory-thread-store.ts';
export * from './run-queue.ts';
export * from './thread-store.ts';
