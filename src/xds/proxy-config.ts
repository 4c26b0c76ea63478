// ProxyConfig: everything one proxy is told, as one versioned value (a full ADS push).

import type { ClusterId, Namespace, NetworkId, ServiceAccount } from '../model/index.ts'
import type { Cluster } from './cluster.ts'
import type { ClusterLoadAssignment } from './endpoint.ts'
import type { Listener, RouteConfiguration } from './listener.ts'

/** Who a proxy is, as Envoy's node metadata tells istiod. */
export interface ProxyNode {
  /** `sidecar~10.10.0.2~helloworld-v1-...sample~sample.svc.cluster.local` (Istio's node id). */
  readonly id: string
  readonly type: 'sidecar' | 'router'
  readonly cluster: ClusterId
  /** ISTIO_META_NETWORK */
  readonly network: NetworkId
  readonly namespace: Namespace
  readonly pod: string
  readonly ip: string
  readonly serviceAccount: ServiceAccount
  /** Labels of the pod (app, version). */
  readonly labels: Readonly<Record<string, string>>
  /** `region/zone/subzone` of the proxy's node, empty or absent when unknown. */
  readonly locality?: string
  /** ISTIO_META_REQUESTED_NETWORK_VIEW: networks whose endpoints this proxy may see (gateways: its own). */
  readonly requestedNetworkView?: readonly NetworkId[]
}

export interface ProxyConfig {
  /** Push version; a proxy acknowledges the versions it applied. */
  readonly version: number
  readonly listeners: readonly Listener[]
  readonly routes: readonly RouteConfiguration[]
  readonly clusters: readonly Cluster[]
  readonly endpoints: readonly ClusterLoadAssignment[]
}

export function proxyNodeId(type: ProxyNode['type'], ip: string, pod: string, ns: string): string {
  return `${type}~${ip}~${pod}.${ns}~${ns}.svc.cluster.local`
}
