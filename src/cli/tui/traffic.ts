// Per-edge traffic over a sliding window, from access records: requests per second, error rate,
// p50/p99 latency, the share carried over mTLS, whether the edge crosses an east-west gateway,
// and its response flags. Pure: records and clock readings in, a snapshot out; the TUI reads it on a timer.

import type { AccessRecord } from '../../runtime/index.ts'

/** A workload as the map draws it: app and version in a cluster. */
export interface WorkloadKey {
  readonly cluster: string
  readonly app: string
  /** '' when the pods have no version label. */
  readonly version: string
}

export interface EdgeStats {
  readonly source: WorkloadKey
  /** The workload that answered; for requests no workload answered, the service (cluster ''). */
  readonly destination: WorkloadKey
  readonly requests: number
  readonly rps: number
  /** Share of requests answered 5xx or not at all (code 0), 0..1. */
  readonly errorRate: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Share of requests whose upstream presented a peer identity (mTLS), 0..1. */
  readonly mtls: number
  /** Whether any request of the window went through an east-west gateway. */
  readonly viaGateway: boolean
  /** Requests of the window by Envoy response flag (UF, UH, URX…), for the wide map. */
  readonly flags: Readonly<Record<string, number>>
}

interface Sample {
  readonly at: number
  readonly ms: number
  readonly error: boolean
  readonly mtls: boolean
  readonly gateway: boolean
  readonly flags: readonly string[]
}

interface Edge {
  readonly source: WorkloadKey
  readonly destination: WorkloadKey
  readonly samples: Sample[]
}

export interface TrafficOptions {
  /** Sliding window length (default 5 s). */
  readonly windowMs?: number
  /** Samples kept per edge, so memory stays bounded at any rate (default 10,000). */
  readonly maxSamples?: number
  /** `address:port` of every east-west gateway, to tell edges that cross one. */
  readonly gateways?: Iterable<string>
}

export const keyOf = (w: WorkloadKey): string => `${w.cluster}/${w.app}/${w.version}`

/** The exact q-quantile (0..1) of ascending values, nearest-rank; 0 for none. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1] ?? 0
}

/** The service an outbound record asked for, by name: `outbound|5000||helloworld.sample…` → helloworld. */
function upstreamService(r: AccessRecord): string {
  const host = r.upstreamCluster?.split('|')[3] ?? r.authority ?? 'unknown'
  return host.split(/[.:]/)[0] ?? host
}

export class TrafficWindow {
  readonly #windowMs: number
  readonly #maxSamples: number
  readonly #gateways: ReadonlySet<string>
  readonly #edges = new Map<string, Edge>()
  /** Inbound workloads by x-request-id, for outbound records without peer metadata (bounded). */
  readonly #inbound = new Map<string, WorkloadKey>()
  #first: number | undefined

  constructor(options: TrafficOptions = {}) {
    this.#windowMs = options.windowMs ?? 5000
    this.#maxSamples = options.maxSamples ?? 10_000
    this.#gateways = new Set(options.gateways ?? [])
  }

  /** Takes one record; only client-side (outbound) records make edges. */
  add(r: AccessRecord, now: number): void {
    this.#first ??= now
    if (r.direction === 'inbound' && r.requestId && r.workload) {
      this.#inbound.set(r.requestId, workloadOf(r.workload))
      if (this.#inbound.size > 2000) {
        const oldest = this.#inbound.keys().next().value
        if (oldest !== undefined) this.#inbound.delete(oldest)
      }
      return
    }
    if (r.direction !== 'outbound' || r.workload === undefined) return
    const source = workloadOf(r.workload)
    const destination = r.peerWorkload
      ? workloadOf(r.peerWorkload)
      : ((r.requestId ? this.#inbound.get(r.requestId) : undefined) ?? {
          cluster: '',
          app: upstreamService(r),
          version: '',
        })
    const id = `${keyOf(source)} ${keyOf(destination)}`
    let edge = this.#edges.get(id)
    if (edge === undefined) {
      edge = { source, destination, samples: [] }
      this.#edges.set(id, edge)
    }
    edge.samples.push({
      at: now,
      ms: r.durationMs,
      error: r.responseCode === 0 || r.responseCode >= 500,
      mtls: r.peerIdentity !== undefined,
      gateway: r.upstreamHost !== undefined && this.#gateways.has(r.upstreamHost),
      flags: r.responseFlags,
    })
    if (edge.samples.length > this.#maxSamples) edge.samples.shift()
  }

  /** The edges with traffic in the window ending at `now`, busiest first. */
  snapshot(now: number): EdgeStats[] {
    const since = now - this.#windowMs
    // Until a whole window has passed, rates are over the time seen so far (at least 1 s).
    const seconds = Math.max(1000, Math.min(this.#windowMs, now - (this.#first ?? now))) / 1000
    const out: EdgeStats[] = []
    for (const [id, edge] of this.#edges) {
      const drop = edge.samples.findIndex((s) => s.at > since)
      if (drop === -1) {
        this.#edges.delete(id)
        continue
      }
      if (drop > 0) edge.samples.splice(0, drop)
      const s = edge.samples
      const sorted = s.map((x) => x.ms).sort((a, b) => a - b)
      const flags: Record<string, number> = {}
      for (const f of s.flatMap((x) => x.flags)) flags[f] = (flags[f] ?? 0) + 1
      out.push({
        source: edge.source,
        destination: edge.destination,
        requests: s.length,
        rps: s.length / seconds,
        errorRate: s.filter((x) => x.error).length / s.length,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        mtls: s.filter((x) => x.mtls).length / s.length,
        viaGateway: s.some((x) => x.gateway),
        flags,
      })
    }
    return out.sort((a, b) => b.requests - a.requests)
  }
}

function workloadOf(w: { cluster: string; app: string; version: string }): WorkloadKey {
  return { cluster: w.cluster, app: w.app, version: w.version }
}
