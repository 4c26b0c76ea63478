// Pure generators: (proxy, snapshot) -> that proxy's whole config. Nothing else goes in.

import type { ProxyConfig, ProxyNode } from '../../xds/index.ts'
import type { MeshSnapshot } from '../snapshot.ts'
import { buildGatewayClusters, buildSidecarClusters } from './clusters.ts'
import { buildGatewayEndpoints, buildSidecarEndpoints } from './endpoints.ts'
import { buildGatewayListeners, buildSidecarListeners, buildSidecarRoutes } from './listeners.ts'

/** Istio's DefaultNetworkGatewayPort; the east-west gateway's AUTO_PASSTHROUGH listener. */
export const GATEWAY_PORT = 15443

export function generate(node: ProxyNode, snap: MeshSnapshot, version: number): ProxyConfig {
  if (node.type === 'router') {
    return {
      version,
      listeners: buildGatewayListeners(node, snap, GATEWAY_PORT),
      routes: [],
      clusters: buildGatewayClusters(node, snap),
      endpoints: buildGatewayEndpoints(node, snap),
    }
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
