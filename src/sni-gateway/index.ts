// The east-west gateway: Istio's istio-eastwestgateway with the `cross-network-gateway` Gateway
// (15443, TLS AUTO_PASSTHROUGH). Peeks at SNI and ALPN, picks one endpoint per connection and
// forwards the bytes unchanged; config arrives as a ProxyConfig, sockets through a PodNetwork.

export {
  type HelloFailure,
  type HelloPeek,
  type PeekOptions,
  peekClientHello,
} from './client-hello.ts'
export {
  type FilterChainTable,
  indexFilterChains,
  matchFilterChain,
} from './filter-chain.ts'
export {
  createEastWestGateway,
  DEFAULT_HELLO_TIMEOUT_MS,
  DEFAULT_MAX_HELLO_BYTES,
  type EastWestGateway,
  type EastWestGatewayOptions,
  GATEWAY_PORT,
} from './gateway.ts'
export { type SniClusterName, sniClusterOf } from './sni-cluster.ts'
export { type ClusterStat, GATEWAY_STATS, type GatewayStat } from './stats.ts'
