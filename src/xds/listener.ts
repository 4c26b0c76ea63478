// Listeners and routes: how a proxy matches what arrives (Envoy's Listener, FilterChain,
// RouteConfiguration). Istio's well-known ports appear only as labels; sockets bind port 0.

/** Outbound HTTP: one listener per port (`0.0.0.0_5000`) routing by Host through route `5000`. */
export interface OutboundHttpListener {
  readonly kind: 'outbound-http'
  readonly name: string
  readonly port: number
  readonly routeConfigName: string
}

/** Outbound TCP: one listener per service VIP and port (`10.100.0.3_9000`) to one cluster. */
export interface OutboundTcpListener {
  readonly kind: 'outbound-tcp'
  readonly name: string
  readonly address: string
  readonly port: number
  readonly cluster: string
}

/** Inbound: terminate mTLS for one container port and forward to the app on that port. */
export interface InboundListener {
  readonly kind: 'inbound'
  readonly name: string
  /** The container port (targetPort). */
  readonly port: number
  /** `inbound|<targetPort>||` */
  readonly cluster: string
  readonly protocol: 'HTTP' | 'TCP'
}

/**
 * One filter chain of a gateway listener that forwards TLS without terminating it. AUTO_PASSTHROUGH
 * chains match one exact SNI and an Istio ALPN, to the cluster named like the SNI (before 1.10: a
 * Gateway host such as `*.global`, any ALPN, to the cluster the SNI names); PASSTHROUGH
 * chains (a VirtualService's tls routes) match `sniHosts`, which may be `*.suffix` or `*` (any
 * connection, even one without SNI), and accept any ALPN when `applicationProtocols` is empty.
 */
export interface SniFilterChain {
  readonly serverName: string
  readonly applicationProtocols: readonly string[]
  readonly cluster: string
  /**
   * Legacy AUTO_PASSTHROUGH (Istio ≤1.9): `envoy.filters.network.sni_cluster` makes the SNI the
   * cluster name (`cluster` is then unused), optionally followed by `tcp_cluster_rewrite`.
   */
  readonly sniCluster?: { readonly rewrite?: ClusterRewrite }
}

/** `envoy.filters.network.tcp_cluster_rewrite`: every match of `pattern` becomes `replacement`. */
export interface ClusterRewrite {
  readonly pattern: string
  readonly replacement: string
}

/** A gateway listener (15443 for AUTO_PASSTHROUGH, 15012 and 15017 for exposed istiod). */
export interface GatewayListener {
  readonly kind: 'gateway'
  readonly name: string
  readonly port: number
  readonly filterChains: readonly SniFilterChain[]
}

export type Listener =
  | OutboundHttpListener
  | OutboundTcpListener
  | InboundListener
  | GatewayListener

/** Envoy's StringMatcher; `regex` is RE2 (safe_regex) and must match the whole value. */
export type StringMatcher =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly regex: string }

/** A header condition: `match` absent means the header must be present; `invert` negates. */
export interface HeaderMatcher {
  /** Lower case. */
  readonly name: string
  readonly match?: StringMatcher
  readonly invert?: boolean
}

/** Envoy's RouteMatch: one path condition (or none: every path) and every header condition. */
export interface RouteMatch {
  readonly path?: StringMatcher
  /** Path comparison ignores case (VirtualService `ignoreUriCase`). */
  readonly ignoreCase?: boolean
  readonly headers: readonly HeaderMatcher[]
}

export interface WeightedCluster {
  readonly name: string
  readonly weight: number
}

/**
 * What a matched route does: forward to one cluster, split across weighted clusters (a cluster
 * the proxy does not have answers 503 NC), or answer directly.
 */
export type RouteAction =
  | { readonly kind: 'cluster'; readonly cluster: string }
  | { readonly kind: 'weighted'; readonly clusters: readonly WeightedCluster[] }
  | { readonly kind: 'direct'; readonly status: number; readonly body?: string }

export interface Route {
  /** The VirtualService http route's `name`, `default` for Istio's catch-all, or '' (logged as `-`). */
  readonly name: string
  readonly match: RouteMatch
  readonly action: RouteAction
  /** `name.namespace` of the VirtualService this route came from, for istioctl-shaped output. */
  readonly virtualService?: string
}

export interface VirtualHost {
  /** `helloworld.sample.svc.cluster.local:5000` */
  readonly name: string
  /** Host header values that select this virtual host (short forms, FQDN, ClusterIP, with/without port). */
  readonly domains: readonly string[]
  /** Tried in order; the first whose match holds wins. None matching: 404 NR. */
  readonly routes: readonly Route[]
}

export interface RouteConfiguration {
  /** The port number as a string, as Istio names outbound HTTP routes. */
  readonly name: string
  readonly virtualHosts: readonly VirtualHost[]
}

/** Istio's mTLS ALPN values; the gateway matches any of them (`allIstioMtlsALPNs`). */
export const ISTIO_MTLS_ALPNS: readonly string[] = [
  'istio',
  'istio-peer-exchange',
  'istio-http/1.0',
  'istio-http/1.1',
  'istio-h2',
]

/** What a client sidecar offers for HTTP/1.1 and TCP upstreams (istio-semantics §6.3). */
export const ALPN_HTTP11: readonly string[] = ['istio-http/1.1', 'istio', 'http/1.1']
export const ALPN_TCP: readonly string[] = ['istio-peer-exchange', 'istio']
