import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** Publish→receive latency in whole milliseconds (`Date.now() - event.ts`: both sides use the same clock). */
export function createLatencyHistogram(): Histogram {
  return build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3 });
}

/** Serialises a histogram for the trip from a load generator to the orchestrator. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function mergeHistograms(encoded: readonly string[]): Histogram {
  const total = createLatencyHistogram();
  for (const text of encoded) {
    const part = decodeFromCompressedBase64(text, 32);
    total.add(part);
    part.destroy();
  }
  return total;
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatency(histogram: Histogram): LatencySummary | null {
  if (histogram.totalCount === 0) return null;
  return {
    count: histogram.totalCount,
    p50Ms: histogram.getValueAtPercentile(50),
    p99Ms: histogram.getValueAtPercentile(99),
    maxMs: histogram.maxValue,
  };
}
