import { openBackend } from '@threadcast/backend';
import { describeAgentLoopContract } from './agent-loop.contract.ts';

describeAgentLoopContract('memory', async () => {
  const backend = openBackend({});
  return [backend, backend];
});
