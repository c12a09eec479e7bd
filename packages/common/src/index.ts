export { backoffDelay } from './backoff.ts';
export { type Logger, silentLogger } from './logger.ts';
export type { Readiness, ReadinessCheck } from './readiness.ts';
export { withTimeout } from './timeout.ts';
export { ABORTED, untilAborted } from './until-aborted.ts';
