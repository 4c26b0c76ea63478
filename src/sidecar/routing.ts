// One applied ProxyConfig, indexed for the hot path: listeners by port or VIP, routes by name,
// clusters by name, and a load balancer per cluster over its endpoints.

import type { LoadBalancer, Random } from '../proxy/index.ts'
import { createLoadBalancer } from '../proxy/index.ts'
import type {
  Cluster,
  InboundListener,
  OutboundHttpListener,
  OutboundTcpListener,
  ProxyConfig,
  VirtualHost,
} from '../xds/index.ts'

export class Routing {
  readonly config: ProxyConfig
  readonly #http = new Map<number, OutboundHttpListener>()
  readonly #tcp = new Map<string, OutboundTcpListener>()
  /** Route name -> domain (lower case) -> virtual host: Envoy's exact domain match. */
  readonly #domains = new Map<string, Map<string, VirtualHost>>()
  readonly #clusters = new Map<string, Cluster>()
  readonly #lbs = new Map<string, LoadBalancer>()
  readonly inbound: readonly InboundListener[]

  constructor(config: ProxyConfig, random: Random) {
    this.config = config
    const inbound: InboundListener[] = []
    for (const l of config.listeners) {
      if (l.kind === 'outbound-http') this.#http.set(l.port, l)
      else if (l.kind === 'outbound-tcp') this.#tcp.set(`${l.address}:${l.port}`, l)
      else if (l.kind === 'inbound') inbound.push(l)
    }
    this.inbound = inbound
    for (const r of config.routes) {
      const byDomain = new Map<string, VirtualHost>()
      for (const v of r.virtualHosts) {
        for (const d of v.domains) {
          const key = d.toLowerCase()
          if (!byDomain.has(key)) byDomain.set(key, v)
        }
      }
      this.#domains.set(r.name, byDomain)
    }
    for (const c of config.clusters) this.#clusters.set(c.name, c)
    for (const a of config.endpoints) {
      const c = this.#clusters.get(a.clusterName)
      this.#lbs.set(
        a.clusterName,
        createLoadBalancer(c?.lbPolicy ?? 'LEAST_REQUEST', a.endpoints, random),
      )
    }
  }

  httpListener(port: number): OutboundHttpListener | undefined {
    return this.#http.get(port)
  }

  tcpListener(ip: string, port: number): OutboundTcpListener | undefined {
    return this.#tcp.get(`${ip}:${port}`)
  }

  /** Envoy's vhost match on the Host header, with and without the port. */
  virtualHost(routeName: string, authority: string): VirtualHost | undefined {
    const byDomain = this.#domains.get(routeName)
    if (byDomain === undefined) return undefined
    const host = authority.toLowerCase()
    return byDomain.get(host) ?? byDomain.get(host.replace(/:\d+$/, ''))
  }

  cluster(name: string): Cluster | undefined {
    return this.#clusters.get(name)
  }

  loadBalancer(cluster: string): LoadBalancer | undefined {
    return this.#lbs.get(cluster)
  }

  /** Every `cluster|address:port` the config names, to drop pools of departed endpoints. */
  endpointKeys(): Set<string> {
    return new Set(
      this.config.endpoints.flatMap((a) =>
        a.endpoints.map((e) => `${a.clusterName}|${e.address}:${e.port}`),
      ),
    )
  }
}
