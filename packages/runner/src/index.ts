export * from './agent.ts';
export { type AgentConfig, type AgentName, agentNames, createAgent } from './create-agent.ts';
export { DemoAgent, type DemoAgentConfig, demoReply, tokenize } from './demo-agent.ts';
export { executeRun, type RunOutcome, type WorkerMetrics } from './execute-run.ts';
export { AgentProviderError, OpenAIAgent, type OpenAIAgentConfig } from './openai-agent.ts';
export { RunPublisher, type RunPublisherOptions } from './run-publisher.ts';
export { DEFAULT_LEASE_MS, type RunWorkerOptions, reapOrphans, runWorker, startOrphanReaper } from './run-worker.ts';
export { agentConfigFromEnv, type WorkerEnv, workerEnvShape, workerOptionsFromEnv } from './worker-env.ts';
