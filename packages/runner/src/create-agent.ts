import type { Agent } from './agent.ts';
import { DemoAgent } from './demo-agent.ts';

export const agentNames = ['demo'] as const;
export type AgentName = (typeof agentNames)[number];

export interface AgentConfig {
  name: AgentName;
  /** Demo agent: pause before each token. */
  tokenDelayMs: number;
}

/** The agent a worker runs, chosen by name (the `AGENT` setting). */
export function createAgent(config: AgentConfig): Agent {
  switch (config.name) {
    case 'demo':
      return new DemoAgent({ tokenDelayMs: config.tokenDelayMs });
  }
}
