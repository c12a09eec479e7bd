import type { Agent } from './agent.ts';
import { DemoAgent } from './demo-agent.ts';
import { OpenAIAgent, type OpenAIAgentConfig } from './openai-agent.ts';

export const agentNames = ['demo', 'openai'] as const;
export type AgentName = (typeof agentNames)[number];

export interface AgentConfig {
  name: AgentName;
  /** Demo agent: pause before each token. */
  tokenDelayMs: number;
  /** OpenAI agent; the key may be missing here, so that only `AGENT=openai` requires it. */
  openai?: Omit<OpenAIAgentConfig, 'apiKey'> & { apiKey?: string | undefined };
}

/** The agent a worker runs, chosen by name (the `AGENT` setting). */
export function createAgent(config: AgentConfig): Agent {
  switch (config.name) {
    case 'demo':
      return new DemoAgent({ tokenDelayMs: config.tokenDelayMs });
    case 'openai': {
      const apiKey = config.openai?.apiKey;
      if (!config.openai || !apiKey) throw new Error('AGENT=openai needs OPENAI_API_KEY, the key for OPENAI_BASE_URL');
      return new OpenAIAgent({ ...config.openai, apiKey });
    }
  }
}
