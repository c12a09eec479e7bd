export type { BackendConfig } from './backend-config.ts';
export { backendConfigFromEnv, backendEnvShape, checkBackendEnv, redisTargetFromEnv } from './backend-env.ts';
export { type Backend, type BackendStats, openBackend } from './open-backend.ts';
