// What every part of one sidecar shares: who it is, how it reaches the network, where records go,
// its current routing and its upstream pools.

import type { AccessSink, PodNetwork, Random } from '../proxy/index.ts'
import type { ProxyNode, WorkloadSecret } from '../xds/index.ts'
import type { MetadataExchange } from './peer-metadata.ts'
import type { Routing } from './routing.ts'
import type { Upstreams } from './upstreams.ts'

export interface SidecarContext {
  readonly node: ProxyNode
  readonly network: PodNetwork
  readonly onAccess: AccessSink
  readonly random: Random
  readonly upstreams: Upstreams
  readonly secret: () => WorkloadSecret
  /** Counters under Envoy's names (a Map: names vary, and an object would go megamorphic). */
  readonly stats: Map<string, number>
  readonly routing: () => Routing | undefined
  /** How long to wait for a connection when no cluster says (meshConfig.connectTimeout). */
  readonly connectTimeoutMs: number
  /** A stalled TLS handshake at an inbound listener is dropped after this long. */
  readonly handshakeTimeoutMs: number
  /** This sidecar's side of metadata exchange (its own metadata and headers, made once). */
  readonly mx: MetadataExchange
}

export function count(ctx: SidecarContext, stat: string, n = 1): void {
  ctx.stats.set(stat, (ctx.stats.get(stat) ?? 0) + n)
}

/** Who logs a record, and when it starts: the fields every record of this sidecar shares. */
export function recordOrigin(ctx: SidecarContext, direction: 'outbound' | 'inbound') {
  return {
    proxy: ctx.node.pod,
    namespace: ctx.node.namespace,
    cluster: ctx.node.cluster,
    direction,
    startTime: new Date(),
    workload: ctx.mx.self,
  }
}
