import type { Agent, AgentChunk, AgentRequest } from '../agent.ts';

/** An agent whose every step is written out in advance: step n (from 1) yields `steps(n, request)`. */
export function scriptedAgent(steps: (step: number, request: AgentRequest) => AgentChunk[]): Agent & {
  requests: AgentRequest[];
} {
  const requests: AgentRequest[] = [];
  return {
    name: 'scripted',
    requests,
    async *reply(request) {
      requests.push({ ...request, messages: structuredClone(request.messages) });
      for (const chunk of steps(requests.length, request)) {
        if (request.signal.aborted) return;
        yield chunk;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
