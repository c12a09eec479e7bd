import { parseEnv } from '@threadcast/common/env';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backendConfigFromEnv, backendEnvShape, checkBackendEnv } from './backend-env.ts';

const schema = z.object(backendEnvShape).superRefine(checkBackendEnv);
const read = (env: Record<string, string>) => backendConfigFromEnv(parseEnv(schema, env));

describe('backend environment', () => {
  it('names one Redis, a cluster by its nodes, or a primary set by its sentinels and name', () => {
    expect(read({}).redis).toBeUndefined();
    expect(read({ REDIS_URL: 'redis://127.0.0.1:6380' }).redis).toEqual({
      kind: 'single',
      url: 'redis://127.0.0.1:6380',
    });
    expect(read({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001', REDIS_PASSWORD: 'pw' }).redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      password: 'pw',
    });
    expect(read({ REDIS_CLUSTER_NODES: 'rediss://app:s%40cret@redis.internal:7000' }).redis).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'redis.internal', port: 7000 }],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
    expect(
      read({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'sp' }).redis,
    ).toEqual({
      kind: 'sentinel',
      name: 'main',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      sentinelPassword: 'sp',
    });
    expect(read({ REDIS_URL: 'redis://r:6379', REDIS_PUBLISH_REPLICAS: '1' })).toMatchObject({
      publishReplicas: 1,
      publishReplicasTimeoutMs: 1_000,
    });
  });

  it('refuses, naming the variable, a node list that is not host:port, two Redis at once, or a set without its name', () => {
    const problems: [Record<string, string>, RegExp][] = [
      [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, /REDIS_CLUSTER_NODES: "10\.0\.0\.1" needs a host and a port/],
      [{ REDIS_CLUSTER_NODES: ' , ' }, /REDIS_CLUSTER_NODES names no node/],
      [{ REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' }, /REDIS_CLUSTER_NODES: "http:" is not redis: or rediss:/],
      [{ REDIS_SENTINELS: 'h:99999', REDIS_SENTINEL_NAME: 'x' }, /REDIS_SENTINELS: "h:99999" is not host:port/],
      [
        { REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'n:7000' },
        /REDIS_URL and REDIS_CLUSTER_NODES are both set/,
      ],
      [{ REDIS_SENTINELS: 's1:26379' }, /REDIS_SENTINEL_NAME is required with REDIS_SENTINELS/],
      [{ REDIS_SENTINEL_NAME: 'main' }, /REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/],
      [{ REDIS_PUBLISH_REPLICAS: '1' }, /REDIS_PUBLISH_REPLICAS needs a Redis/],
      [{ REDIS_URL: 'redis://r:6379', REDIS_PUBLISH_REPLICAS: '-1' }, /REDIS_PUBLISH_REPLICAS/],
    ];
    for (const [env, message] of problems) expect(() => read(env), JSON.stringify(env)).toThrow(message);
  });

  it('never puts a password from a node list in its message', () => {
    expect(() => read({ REDIS_CLUSTER_NODES: 'redis://u:topsecret@host' })).toThrow(/host/);
    expect(() => read({ REDIS_CLUSTER_NODES: 'redis://u:topsecret@host' })).not.toThrow(/topsecret/);
  });
});
