// A mesh's metrics in one Prometheus registry: Istio's standard metrics, fed by the record
// stream, and the gateways' Envoy counters, fetched when scraped.

import { Registry } from 'prom-client'
import type { AccessRecord } from '../proxy/index.ts'
import { IstioMetrics } from './istio-metrics.ts'
import { ProxyCounters, type ProxyStatsSource } from './proxy-stats.ts'

export class MeshTelemetry {
  /** Prometheus text format 0.0.4. */
  readonly contentType: string = Registry.PROMETHEUS_CONTENT_TYPE
  readonly #registry = new Registry()
  readonly #istio = new IstioMetrics(this.#registry)
  readonly #proxies: ProxyCounters

  constructor(proxyStats: ProxyStatsSource = async () => []) {
    this.#proxies = new ProxyCounters(this.#registry, proxyStats)
  }

  /** Counts one access record: subscribe this to the mesh's records. */
  readonly observe = (record: AccessRecord): void => this.#istio.observe(record)

  /** The exposition text, with every proxy's counters as of now. */
  async scrape(): Promise<string> {
    await this.#proxies.refresh()
    return this.#registry.metrics()
  }
}
