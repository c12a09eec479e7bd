export * from './agent.ts';
export { DEFAULT_MAX_STEPS } from './agent-loop.ts';
export { type AgentConfig, type AgentName, agentNames, createAgent } from './create-agent.ts';
export {
  DEMO_SOURCE,
  DemoAgent,
  type DemoAgentConfig,
  demoReply,
  demoToolCalls,
  demoWantsApproval,
  tokenize,
} from './demo-agent.ts';
export { type ExecuteRunDeps, executeRun, type RunOutcome, type WorkerMetrics } from './execute-run.ts';
export { AgentProviderError, OpenAIAgent, type OpenAIAgentConfig } from './openai-agent.ts';
export { RunPublisher, type RunPublisherOptions } from './run-publisher.ts';
export { DEFAULT_LEASE_MS, type RunWorkerOptions, reapOrphans, runWorker, startOrphanReaper } from './run-worker.ts';
export { ArithmeticError, evaluateArithmetic } from './tools/arithmetic.ts';
export { builtInToolRegistry, builtInTools } from './tools/built-in-tools.ts';
export { calculatorTool } from './tools/calculator.ts';
export { clockTool } from './tools/clock.ts';
export { saveNoteTool } from './tools/save-note.ts';
export {
  createToolRegistry,
  DEFAULT_TOOL_TIMEOUT_MS,
  defineTool,
  type Tool,
  type ToolContext,
  type ToolDefinition,
  type ToolRegistry,
} from './tools/tool.ts';
export { agentConfigFromEnv, type WorkerEnv, workerEnvShape, workerOptionsFromEnv } from './worker-env.ts';
