// Series aggregated here rather than in prom-client's metric objects, whose inc/observe validate
// and hash every label on every call (about 25 µs a record with Istio's 25 labels): a record
// costs one key and one map lookup, and prom-client only writes the totals out at scrape time.

/** Envoy's default histogram buckets, which Istio keeps (istio-proxy sets no bucket settings). */
export const ENVOY_BUCKETS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
  1800000, 3600000,
]

/** One histogram series: a count per bucket (the last is +Inf), their sum. */
export class Distribution {
  readonly counts = new Float64Array(ENVOY_BUCKETS.length + 1)
  sum = 0
  count = 0

  observe(value: number): void {
    let i = 0
    while (i < ENVOY_BUCKETS.length && value > (ENVOY_BUCKETS[i] as number)) i++
    this.counts[i] = (this.counts[i] ?? 0) + 1
    this.sum += value
    this.count++
  }
}

/** Series by label set; `key` is the label values joined, computed by the caller. */
export class SeriesTable<L extends string, S> {
  readonly #series = new Map<string, { readonly labels: Readonly<Record<L, string>>; value: S }>()
  readonly #make: () => S

  constructor(make: () => S) {
    this.#make = make
  }

  /** The series of `labels`, made on first use. */
  get(labels: Readonly<Record<L, string>>): S {
    const key = Object.values(labels).join('\u0001')
    let entry = this.#series.get(key)
    if (entry === undefined) {
      entry = { labels, value: this.#make() }
      this.#series.set(key, entry)
    }
    return entry.value
  }

  *entries(): Iterable<readonly [Readonly<Record<L, string>>, S]> {
    for (const e of this.#series.values()) yield [e.labels, e.value]
  }
}
