export { isBusy } from '@threadcast/contract';
export type { ChatMessage } from './chat-message.ts';
export type { ChatStatus } from './chat-status.ts';
export type { ConnectionState, NotLive, NotLiveReason } from './connection.ts';
export { connectionAttributes, type DataAttributes, partAttributes, runAttributes } from './data-attributes.ts';
export { ThreadcastProvider, type ThreadcastProviderProps } from './provider.tsx';
export { threadcast } from './threadcast.ts';
export { type ThreadError, type UseThreadResult, useThread } from './use-thread.ts';
export { type ThreadSummary, type UseThreadsResult, useThreads } from './use-threads.ts';
