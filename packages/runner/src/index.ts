export * from './agent.ts';
export { type AgentConfig, type AgentName, agentNames, createAgent } from './create-agent.ts';
export { DemoAgent, type DemoAgentConfig, demoReply, tokenize } from './demo-agent.ts';
export { executeRun, type RunOutcome } from './execute-run.ts';
export { createReliablePublisher, type ReliablePublisherOptions } from './reliable-publish.ts';
export { type RunWorkerOptions, runWorker } from './run-worker.ts';
export { logLevelSchema, workerEnvShape } from './worker-env.ts';
