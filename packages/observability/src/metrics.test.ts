import type { AddressInfo } from 'node:net';
import { type Backend, openBackend } from '@threadcast/backend';
import { silentLogger } from '@threadcast/common';
import { afterEach, describe, expect, it } from 'vitest';
import { listenForMetrics, MetricsEndpoint } from './metrics-endpoint.ts';
import { createServerMetrics } from './process-metrics.ts';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

const backends: Backend[] = [];
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

function serverMetrics(instanceId: string, backend = openBackend({})) {
  backends.push(backend);
  return createServerMetrics({ backend, instanceId, logger: silentLogger });
}

const scrape = async (metrics: { registry: { metrics(): Promise<string> } }) =>
  parsePrometheusText(await metrics.registry.metrics());

const token = (ts: number) => ({ type: 'token', threadId: 't1', ts, content: 'x' }) as const;

describe('server metrics', () => {
  it('keep one registry per server: two in one process count apart, under their own instance id', async () => {
    const a = serverMetrics('server-a');
    const b = serverMetrics('server-b');
    a.streams.procedure('thread.onEvent').opened();
    a.streams.procedure('thread.onEvent').delivered(token(Date.now()), false);
    a.streams.procedure('thread.onActivity').delivered(token(Date.now()), false);
    b.streams.procedure('thread.onEvent').delivered(token(Date.now()), false);
    const [fromA, fromB] = [await scrape(a), await scrape(b)];
    expect(sampleValue(fromA, 'threadcast_events_delivered_total', { instance_id: 'server-a' })).toBe(2);
    expect(sampleValue(fromB, 'threadcast_events_delivered_total', { instance_id: 'server-b' })).toBe(1);
    expect(sampleValue(fromA, 'threadcast_events_delivered_total', { procedure: 'thread.onActivity' })).toBe(1);
    expect(sampleValue(fromA, 'threadcast_streams_open', { procedure: 'thread.onEvent' })).toBe(1);
    expect(sampleValue(fromA, 'threadcast_streams_open', { procedure: 'thread.onActivity' }) ?? 0).toBe(0);
    expect(sampleValue(fromB, 'threadcast_streams_open')).toBe(0);
    // prom-client's process metrics, in each registry.
    for (const samples of [fromA, fromB]) {
      expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).not.toBeNull();
    }
  });

  it('measure live latency from the publish time, and count replays, resets, drops and slow consumers apart', async () => {
    const metrics = serverMetrics('latency');
    const streams = metrics.streams.procedure('thread.onEvent');
    streams.opened();
    streams.delivered(token(Date.now() - 300), false);
    streams.delivered(token(Date.now() - 60_000), true);
    // An item with no publish time is counted, never measured.
    streams.delivered({ tick: 1 }, false);
    const reset = {
      type: 'status',
      threadId: 't1',
      ts: Date.now(),
      content: { state: 'reset', reason: 'lost' },
    } as const;
    streams.delivered(reset, false);
    streams.dropped(7);
    streams.closed('slow_consumer');
    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'threadcast_events_delivered_total')).toBe(4);
    expect(sampleValue(samples, 'threadcast_events_replayed_total')).toBe(1);
    expect(sampleValue(samples, 'threadcast_reset_notices_total')).toBe(1);
    expect(sampleValue(samples, 'threadcast_events_dropped_total')).toBe(7);
    expect(sampleValue(samples, 'threadcast_slow_consumer_disconnects_total')).toBe(1);
    expect(sampleValue(samples, 'threadcast_streams_open')).toBe(0);
    // Only the live event is measured: about 0.3 s, below the 0.5 s bucket and above the 0.25 s one.
    expect(sampleValue(samples, 'threadcast_delivery_latency_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'threadcast_delivery_latency_seconds_bucket', { le: '0.25' })).toBe(0);
    expect(sampleValue(samples, 'threadcast_delivery_latency_seconds_bucket', { le: '0.5' })).toBe(1);
  });

  it("read the store's runs by state and queue depth on each scrape", async () => {
    const backend = openBackend({});
    const metrics = serverMetrics('store', backend);
    const before = await scrape(metrics);
    expect(sampleValue(before, 'threadcast_runs', { state: 'queued' })).toBe(0);
    expect(sampleValue(before, 'threadcast_queue_depth', { state: 'waiting' })).toBe(0);
    const run = await backend.runs.create({ runId: 'r1', threadId: 't1', ownerId: 'alice', prompt: 'p' });
    await backend.queue.enqueue({ ...run, enqueuedAt: Date.now() });
    const after = await scrape(metrics);
    expect(sampleValue(after, 'threadcast_runs', { state: 'queued' })).toBe(1);
    expect(sampleValue(after, 'threadcast_queue_depth', { state: 'waiting' })).toBe(1);
    expect(sampleValue(after, 'threadcast_queue_depth', { state: 'leased' })).toBe(0);
    // The memory engine holds no Redis connection.
    expect(sampleValue(after, 'threadcast_redis_connected')).toBeNull();
  });

  it('leave out a store series whose read fails, and still answer the scrape', async () => {
    const backend = openBackend({});
    backend.runs.countByState = () => Promise.reject(new Error('redis is down'));
    const metrics = serverMetrics('failing', backend);
    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'threadcast_runs')).toBeNull();
    expect(sampleValue(samples, 'threadcast_queue_depth', { state: 'waiting' })).toBe(0);
  });
});

describe('the metrics endpoint', () => {
  it('answers the text format, and only with the Bearer token when one is set', async () => {
    const metrics = serverMetrics('endpoint');
    const endpoint = new MetricsEndpoint(metrics.registry, { token: 'scrape-token-0123456789', logger: silentLogger });
    const server = await listenForMetrics(endpoint, 0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const refused = await fetch(`${url}/metrics`);
      expect(refused.status).toBe(401);
      expect(await refused.text()).not.toContain('threadcast_');
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const answered = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(answered.status).toBe(200);
      expect(answered.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(sampleValue(parsePrometheusText(await answered.text()), 'threadcast_streams_open')).toBe(0);
      expect((await fetch(`${url}/other`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('parsePrometheusText', () => {
  it('reads names, escaped label values and numbers, and refuses what is not a sample', () => {
    const samples = parsePrometheusText(
      '# HELP x y\n# TYPE x counter\nx{a="1",b="q\\"uo\\\\te"} 3\ny 4.5e-3\nz{le="+Inf"} +Inf\n',
    );
    expect(samples).toEqual([
      { name: 'x', labels: { a: '1', b: 'q"uo\\te' }, value: 3 },
      { name: 'y', labels: {}, value: 0.0045 },
      { name: 'z', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY },
    ]);
    expect(() => parsePrometheusText('not a sample')).toThrow(/not a Prometheus sample/);
  });
});
