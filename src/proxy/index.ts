// The Envoy-shaped core shared by sidecars and gateways: network access through the fabric,
// load balancing, connectors and per-request access records. Roles are assembled elsewhere.

export * from './access-log.ts'
export * from './load-balancer.ts'
export * from './network.ts'
