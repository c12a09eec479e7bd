export { createLinks, type LinkOptions } from './links.ts';
export { type ReconnectOptions, resumeLink } from './resume-link.ts';
export type { ThreadcastRouter } from './router.ts';
export { applyStreamEvent, initialStreamState, type StreamState } from './stream-state.ts';
export { createStreamingClient, type StreamingClient, type ThreadWatchOptions } from './streaming-client.ts';
