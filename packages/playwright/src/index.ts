export { ProcedureError, ThreadcastApi } from './api.ts';
export { type Network, type Threadcast, type ThreadcastFixtures, test } from './fixtures.ts';
export { expect, RUN_END_TIMEOUT_MS, type StreamedRunOptions, waitForRunState } from './matchers.ts';
export type { AppCommand, ThreadcastOptions } from './options.ts';
export { type Relay, startRelay, THREAD_STREAM_PATH } from './relay.ts';
export type { Servers } from './stack.ts';
export { type ShownPart, type ShownRun, streamedRunProblems } from './streamed-run.ts';
export { comparableText, renderedText } from './visible-text.ts';
