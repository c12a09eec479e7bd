import { parsePrometheusText, type Sample, sampleValue } from '@threadcast/observability';

/** One scrape of a `/metrics` endpoint, read into samples. */
export interface Scrape {
  samples: Sample[];
  /** The value of a series (summed over the samples whose labels include `labels`); fails if it is absent. */
  value(name: string, labels?: Record<string, string>): number;
}

export async function scrape(baseUrl: string, token?: string): Promise<Scrape> {
  const response = await fetch(`${baseUrl}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}: ${body}`);
  const samples = parsePrometheusText(body);
  return {
    samples,
    value(name, labels = {}) {
      const value = sampleValue(samples, name, labels);
      if (value === null) throw new Error(`${name} ${JSON.stringify(labels)} is not in the scrape of ${baseUrl}`);
      return value;
    },
  };
}
