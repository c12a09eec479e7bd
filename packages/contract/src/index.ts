export * from './activity.ts';
export * from './event-id.ts';
export * from './ids.ts';
export * from './procedures.ts';
export * from './stream-event.ts';
