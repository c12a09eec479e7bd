export { newId } from './ids.ts';
export { MemoryRunQueue } from './memory/memory-run-queue.ts';
export { MemoryRunStore } from './memory/memory-run-store.ts';
export { MemoryThreadStore } from './memory/memory-thread-store.ts';
export * from './run-lifecycle.ts';
export * from './run-queue.ts';
export * from './run-store.ts';
export * from './thread-store.ts';
