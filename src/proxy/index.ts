// The Envoy-shaped core shared by sidecars and gateways: network access through the fabric,
// load balancing, mTLS connectors, byte pipes and per-request access records. Roles are
// assembled elsewhere (src/sidecar, src/sni-gateway).

export * from './access-log.ts'
export * from './ads-client.ts'
export * from './connector.ts'
export * from './http1/client.ts'
export * from './http1/head.ts'
export * from './http1/parser.ts'
export * from './http1/relay.ts'
export * from './http1/server.ts'
export * from './load-balancer.ts'
export * from './network.ts'
export * from './pipe.ts'
