export * from './activity.ts';
export * from './dom-hooks.ts';
export * from './event-id.ts';
export * from './ids.ts';
export * from './message-parts.ts';
export * from './parts.ts';
export * from './procedures.ts';
export * from './stream-event.ts';
