export {
  type ExecuteUIMessageStreamRunDeps,
  executeUIMessageStreamRun,
  type UIMessageStreamSource,
} from './execute-ui-message-stream-run.ts';
export {
  type PublishUIMessageStreamDeps,
  publishUIMessageStream,
  type UIMessageStreamEnd,
} from './publish-ui-message-stream.ts';
