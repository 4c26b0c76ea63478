// Gateway counters under Envoy's Prometheus names (listener, tls_inspector, tcp_proxy and
// cluster stats), labelled with the proxy. A gateway's stats live on its pod thread, so they are
// fetched once per scrape. Counter names gain `_total` where Envoy's lack it (Prometheus naming).

import type { Registry } from 'prom-client'
import { type Family, register, type Sample } from './exposition.ts'

/** One proxy's counters, as its `stats()` answers them. */
export interface ProxyStats {
  readonly proxy: string
  readonly cluster: string
  readonly stats: Readonly<Record<string, number>>
}

/** Asked at every scrape: the proxies to report (ones that cannot answer are left out). */
export type ProxyStatsSource = () => Promise<readonly ProxyStats[]>

interface EnvoyStat {
  readonly name: string
  readonly type: 'counter' | 'gauge'
  readonly help: string
}

/** Gateway stat → Envoy's stat of the same meaning. */
const ENVOY: Readonly<Record<string, EnvoyStat>> = {
  downstream_cx_total: {
    name: 'envoy_listener_downstream_cx_total',
    type: 'counter',
    help: 'Connections accepted by the listener.',
  },
  downstream_cx_active: {
    name: 'envoy_listener_downstream_cx_active',
    type: 'gauge',
    help: 'Connections open at the listener.',
  },
  downstream_cx_destroy: {
    name: 'envoy_listener_downstream_cx_destroy_total',
    type: 'counter',
    help: 'Connections closed at the listener.',
  },
  no_filter_chain_match: {
    name: 'envoy_listener_no_filter_chain_match_total',
    type: 'counter',
    help: 'Connections no filter chain matched (an SNI the gateway does not route).',
  },
  client_hello_timeout: {
    name: 'envoy_listener_downstream_pre_cx_timeout_total',
    type: 'counter',
    help: 'Connections closed waiting for a TLS ClientHello.',
  },
  client_hello_error: {
    name: 'envoy_tls_inspector_tls_not_found_total',
    type: 'counter',
    help: 'Connections that did not open with a TLS ClientHello.',
  },
  client_hello_too_large: {
    name: 'envoy_tls_inspector_client_hello_too_large_total',
    type: 'counter',
    help: 'ClientHellos larger than the inspector reads.',
  },
  client_hello_closed: {
    name: 'envoy_tls_inspector_connection_closed_total',
    type: 'counter',
    help: 'Connections closed before their ClientHello was complete.',
  },
  downstream_cx_no_route: {
    name: 'envoy_tcp_downstream_cx_no_route_total',
    type: 'counter',
    help: 'Connections the TCP proxy found no cluster for.',
  },
  bytes_received: {
    name: 'envoy_tcp_downstream_cx_rx_bytes_total',
    type: 'counter',
    help: 'Bytes received from downstream connections.',
  },
  bytes_sent: {
    name: 'envoy_tcp_downstream_cx_tx_bytes_total',
    type: 'counter',
    help: 'Bytes sent to downstream connections.',
  },
}

/** Per-cluster stats (`cluster.<name>.<stat>`), labelled `cluster_name` as Istio's tags do. */
const CLUSTER: Readonly<Record<string, EnvoyStat>> = {
  upstream_cx_total: {
    name: 'envoy_cluster_upstream_cx_total',
    type: 'counter',
    help: 'Upstream connections opened.',
  },
  upstream_cx_connect_fail: {
    name: 'envoy_cluster_upstream_cx_connect_fail_total',
    type: 'counter',
    help: 'Upstream connections that failed to connect.',
  },
  upstream_cx_none_healthy: {
    name: 'envoy_cluster_upstream_cx_none_healthy_total',
    type: 'counter',
    help: 'Connections closed because the cluster had no healthy host.',
  },
}

export class ProxyCounters {
  readonly #source: ProxyStatsSource
  #latest: readonly ProxyStats[] = []

  constructor(registry: Registry, source: ProxyStatsSource) {
    this.#source = source
    const family = (stat: EnvoyStat, samples: (p: ProxyStats) => Iterable<Sample>): Family => {
      const proxies = () => this.#latest
      return {
        ...stat,
        *samples() {
          for (const p of proxies()) yield* samples(p)
        },
      }
    }
    for (const [key, stat] of Object.entries(ENVOY)) {
      register(
        registry,
        family(stat, function* (p) {
          const value = p.stats[key]
          if (value !== undefined) yield { labels: { proxy: p.proxy, cluster: p.cluster }, value }
        }),
      )
    }
    for (const [key, stat] of Object.entries(CLUSTER)) {
      const suffix = `.${key}`
      register(
        registry,
        family(stat, function* (p) {
          for (const [name, value] of Object.entries(p.stats)) {
            if (!name.startsWith('cluster.') || !name.endsWith(suffix)) continue
            const cluster_name = name.slice('cluster.'.length, -suffix.length)
            yield { labels: { proxy: p.proxy, cluster: p.cluster, cluster_name }, value }
          }
        }),
      )
    }
  }

  /** Fetches every proxy's counters for the scrape about to be written. */
  async refresh(): Promise<void> {
    this.#latest = await this.#source()
  }
}
