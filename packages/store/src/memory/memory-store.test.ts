import { describeStoreContract, type StoreSet } from '../store.contract.ts';
import { MemoryRateLimiter } from './memory-rate-limiter.ts';
import { MemoryRunQueue } from './memory-run-queue.ts';
import { MemoryRunStore } from './memory-run-store.ts';
import { MemoryThreadStore } from './memory-thread-store.ts';

describeStoreContract('memory', async () => {
  const stores: StoreSet = {
    threads: new MemoryThreadStore(),
    runs: new MemoryRunStore(),
    queue: new MemoryRunQueue(),
    limiter: new MemoryRateLimiter(),
    close: async () => {},
  };
  return [stores, stores];
});
