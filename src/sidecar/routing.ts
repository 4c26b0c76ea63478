// One applied ProxyConfig, indexed for the hot path: listeners by port or VIP, virtual hosts by
// route name and domain with their routes' matchers compiled, clusters by name, and a load
// balancer per cluster over its endpoints.

import type { HostHealth, LoadBalancer, Random } from '../proxy/index.ts'
import { createLoadBalancer } from '../proxy/index.ts'
import type {
  Cluster,
  InboundListener,
  OutboundHttpListener,
  OutboundTcpListener,
  ProxyConfig,
  Route,
  VirtualHost,
} from '../xds/index.ts'
import { compileRouteMatch, type RequestTest, totalWeight } from './route-match.ts'

/** Where one request routes: its virtual host and the first route whose match held. */
export interface RouteSelection {
  readonly vhost: VirtualHost
  /** Undefined when no route of the virtual host matched (Envoy answers 404 NR). */
  readonly route: Route | undefined
  /** The sum of the weights of a weighted route (Envoy's total_weight), else 0. */
  readonly totalWeight: number
}

/** A route with its matcher, made once per config; it is its own selection when it matches. */
interface CompiledRoute extends RouteSelection {
  readonly route: Route
  readonly matches: RequestTest
}

interface CompiledVirtualHost {
  readonly routes: readonly CompiledRoute[]
  readonly noRoute: RouteSelection
}

export class Routing {
  readonly config: ProxyConfig
  readonly #http = new Map<number, OutboundHttpListener>()
  readonly #tcp = new Map<string, OutboundTcpListener>()
  /** Route name -> domain (lower case) -> virtual host: Envoy's exact domain match. */
  readonly #domains = new Map<string, Map<string, CompiledVirtualHost>>()
  readonly #clusters = new Map<string, Cluster>()
  readonly #lbs = new Map<string, LoadBalancer>()
  readonly inbound: readonly InboundListener[]
  /** Regexes in routes that RE2 would not accept: they never match. */
  readonly invalidRegexes: readonly string[]

  /**
   * @param health host health per cluster, kept by the sidecar across configs (Envoy keeps an
   *   ejected host ejected when EDS changes); clusters the config drops lose theirs.
   */
  constructor(
    config: ProxyConfig,
    random: Random,
    health: Map<string, Map<string, HostHealth>> = new Map(),
  ) {
    this.config = config
    for (const name of health.keys())
      if (!config.endpoints.some((a) => a.clusterName === name)) health.delete(name)
    const healthOf = (name: string) => {
      let h = health.get(name)
      if (h === undefined) {
        h = new Map()
        health.set(name, h)
      }
      return h
    }
    const inbound: InboundListener[] = []
    for (const l of config.listeners) {
      if (l.kind === 'outbound-http') this.#http.set(l.port, l)
      else if (l.kind === 'outbound-tcp') this.#tcp.set(`${l.address}:${l.port}`, l)
      else if (l.kind === 'inbound') inbound.push(l)
    }
    this.inbound = inbound
    const invalid: string[] = []
    const onInvalid = (pattern: string) => invalid.push(pattern)
    for (const r of config.routes) {
      const byDomain = new Map<string, CompiledVirtualHost>()
      for (const v of r.virtualHosts) {
        const compiled = compileVirtualHost(v, onInvalid)
        for (const d of v.domains) {
          const key = d.toLowerCase()
          if (!byDomain.has(key)) byDomain.set(key, compiled)
        }
      }
      this.#domains.set(r.name, byDomain)
    }
    this.invalidRegexes = invalid
    for (const c of config.clusters) this.#clusters.set(c.name, c)
    for (const a of config.endpoints) {
      const c = this.#clusters.get(a.clusterName)
      this.#lbs.set(
        a.clusterName,
        createLoadBalancer(
          c?.lbPolicy ?? 'LEAST_REQUEST',
          a.endpoints,
          random,
          c?.outlierDetection,
          Date.now,
          healthOf(a.clusterName),
        ),
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
    return this.#virtualHost(routeName, authority)?.noRoute.vhost
  }

  /**
   * Envoy's route selection: the virtual host for the authority, then its first route whose
   * match holds for the path (origin form, with any query) and the headers (raw name/value
   * pairs). Undefined when no virtual host has the authority. Allocates nothing.
   */
  route(
    routeName: string,
    authority: string,
    path: string,
    method: string,
    headers: readonly string[],
  ): RouteSelection | undefined {
    const v = this.#virtualHost(routeName, authority)
    if (v === undefined) return undefined
    for (const r of v.routes) if (r.matches(path, authority, method, headers)) return r
    return v.noRoute
  }

  #virtualHost(routeName: string, authority: string): CompiledVirtualHost | undefined {
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

function compileVirtualHost(
  vhost: VirtualHost,
  onInvalidRegex: (pattern: string) => void,
): CompiledVirtualHost {
  return {
    routes: vhost.routes.map((route) => ({
      vhost,
      route,
      totalWeight: route.action.kind === 'weighted' ? totalWeight(route.action.clusters) : 0,
      matches: compileRouteMatch(route.match, onInvalidRegex),
    })),
    noRoute: { vhost, route: undefined, totalWeight: 0 },
  }
}
