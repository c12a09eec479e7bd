import { openBackend } from '../open-backend.ts';
import { describeStoreContract } from '../store.contract.ts';

describeStoreContract('memory', async () => {
  const backend = openBackend({});
  return [backend, backend];
});
