// The gateway's counters and gauges under Envoy's names (listener, tls_inspector, tcp_proxy and
// cluster stats, flattened), read as one plain snapshot.

/** Every stat a gateway reports, present from the start at 0. */
export const GATEWAY_STATS = [
  'downstream_cx_total',
  'downstream_cx_active',
  'downstream_cx_destroy',
  'no_filter_chain_match',
  'client_hello_error',
  'client_hello_timeout',
  'client_hello_too_large',
  'client_hello_closed',
  'downstream_cx_no_route',
  'upstream_cx_total',
  'upstream_cx_connect_fail',
  'upstream_cx_none_healthy',
  'bytes_received',
  'bytes_sent',
  'listener_error',
] as const

export type GatewayStat = (typeof GATEWAY_STATS)[number]

/** Per-cluster stats, as Envoy's `cluster.<name>.<stat>`. */
export type ClusterStat =
  | 'upstream_cx_total'
  | 'upstream_cx_connect_fail'
  | 'upstream_cx_none_healthy'

export interface GatewayStats {
  add(name: GatewayStat, by?: number): void
  addCluster(cluster: string, name: ClusterStat): void
  snapshot(): Readonly<Record<string, number>>
}

export function createGatewayStats(): GatewayStats {
  const values = new Map<string, number>(GATEWAY_STATS.map((name) => [name, 0]))
  const bump = (name: string, by: number) => values.set(name, (values.get(name) ?? 0) + by)
  return {
    add: (name, by = 1) => bump(name, by),
    addCluster: (cluster, name) => bump(`cluster.${cluster}.${name}`, 1),
    snapshot: () => Object.freeze(Object.fromEntries(values)),
  }
}
