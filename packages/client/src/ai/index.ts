export { ThreadcastChatTransport, type ThreadcastChatTransportOptions } from './chat-transport.ts';
export type { ThreadcastMessageMetadata } from './metadata.ts';
export { RunChunkMapper } from './run-chunks.ts';
export { type ThreadcastUIMessage, threadMessagesToUIMessages } from './ui-messages.ts';
