export * from './app-process.ts';
export * from './balancer.ts';
export * from './child-process.ts';
export * from './free-port.ts';
export * from './process-stats.ts';
export * from './redis-channels.ts';
export * from './redis-server.ts';
export * from './tcp-proxy.ts';
export { uniquePrefix } from './unique-prefix.ts';
