import { describeStoreContract } from '@threadcast/store/contract-suite';
import { describe, expect, it } from 'vitest';
import { openBackend } from './open-backend.ts';

describeStoreContract('memory backend', async () => {
  const backend = openBackend({});
  return [backend, backend];
});

describe('openBackend without Redis', () => {
  it('runs everything in this process and is always ready', async () => {
    const backend = openBackend({});
    try {
      expect(backend.engine).toBe('memory');
      expect(backend.readiness()).toEqual({ ready: true });
      expect(backend.stats()).toEqual({ redis: [], droppedMessages: 0 });
    } finally {
      await backend.close();
    }
  });
});
