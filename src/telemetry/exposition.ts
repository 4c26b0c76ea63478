// Metric families whose samples are computed at scrape time, written out by prom-client's
// Registry (HELP and TYPE lines, label escaping, number formatting).

import type { Metric, Registry } from 'prom-client'
import { type Distribution, ENVOY_BUCKETS } from './series.ts'

export interface Sample {
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
  /** For a histogram's `_bucket`, `_sum` and `_count` lines. */
  readonly metricName?: string
}

export interface Family {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge' | 'histogram'
  samples(): Iterable<Sample>
}

/** Adds a family; prom-client writes out any metric object with get(). */
export function register(registry: Registry, family: Family): void {
  const metric = {
    name: family.name,
    help: family.help,
    type: family.type,
    get: async () => ({
      name: family.name,
      help: family.help,
      type: family.type,
      aggregator: 'sum',
      values: [...family.samples()],
    }),
  }
  // Its types admit only prom-client's own classes, which keep their own series (see series.ts).
  registry.registerMetric(metric as unknown as Metric)
}

const LE = ENVOY_BUCKETS.map(String)

/** A histogram series as Prometheus has it: cumulative buckets with `le`, then sum and count. */
export function* histogramSamples(
  name: string,
  labels: Readonly<Record<string, string>>,
  d: Distribution,
): Iterable<Sample> {
  let cumulative = 0
  for (let i = 0; i < d.counts.length; i++) {
    cumulative += d.counts[i] ?? 0
    yield {
      metricName: `${name}_bucket`,
      labels: { ...labels, le: LE[i] ?? '+Inf' },
      value: cumulative,
    }
  }
  yield { metricName: `${name}_sum`, labels, value: d.sum }
  yield { metricName: `${name}_count`, labels, value: d.count }
}
