export { GuardedStream } from './guarded-stream.ts';
export {
  noStreamMetrics,
  type ProcedureStreamMetrics,
  type StreamLogFields,
  type StreamMetrics,
  type StreamScope,
} from './observed-stream.ts';
export { PushStream, pushStream } from './push-stream.ts';
export { SseWriter, type SseWriterOptions } from './sse-writer.ts';
export { type StreamCloseReason, StreamEnding, streamUnavailable } from './stream-ending.ts';
export { StreamGate, type StreamPass } from './stream-gate.ts';
export { DEFAULT_STREAM_OPTIONS, type StreamOptions } from './stream-settings.ts';
export type { StartPush, StreamItem, StreamSink } from './stream-source.ts';
