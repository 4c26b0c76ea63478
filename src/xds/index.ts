// The contract between the control plane and the data plane: plain, JSON-able config types
// (Envoy's nouns: listeners, routes, clusters, endpoints, secrets) plus the name tables DNS serves.
// No I/O here; the control plane produces these values and proxies consume them.

export * from './ads.ts'
export * from './cluster.ts'
export * from './endpoint.ts'
export * from './listener.ts'
export * from './name-table.ts'
export * from './proxy-config.ts'
export * from './source.ts'
