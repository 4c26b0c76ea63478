// Pure generators: (proxy, snapshot) -> that proxy's whole config. Nothing else goes in.

import type { ProxyConfig, ProxyNode } from '../../xds/index.ts'
import type { MeshSnapshot } from '../snapshot.ts'
import { buildSidecarClusters } from './clusters.ts'
import { buildSidecarEndpoints } from './endpoints.ts'
import { buildGatewayConfig } from './gateway.ts'
import { buildSidecarListeners, buildSidecarRoutes } from './listeners.ts'

export { GATEWAY_PORT } from './gateway.ts'

export function generate(node: ProxyNode, snap: MeshSnapshot, version: number): ProxyConfig {
  if (node.type === 'router') {
    return { version, routes: [], ...buildGatewayConfig(node, snap) }
  }
  return {
    version,
    listeners: buildSidecarListeners(node, snap),
    routes: buildSidecarRoutes(node, snap),
    clusters: buildSidecarClusters(node, snap),
    endpoints: buildSidecarEndpoints(node, snap),
  }
}

export { splitHorizon } from './endpoints.ts'
