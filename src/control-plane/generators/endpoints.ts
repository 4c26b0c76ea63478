// EDS with split horizon (istio pilot/pkg/xds/endpoints/ep_filters.go, istio-semantics §3.3):
// endpoints on the proxy's network stay pod IP:port; each other network with a gateway collapses
// to that gateway's address:15443, weighted by the endpoints it stands for.

import type { NetworkId } from '../../model/index.ts'
import { clusterName, hostMatches, istioAtLeast } from '../../model/index.ts'
import type { ClusterLoadAssignment, LbEndpoint, ProxyNode } from '../../xds/index.ts'
import type { EndpointRecord, NetworkGateway } from '../registry.ts'
import { entryEndpoints } from '../service-entries.ts'
import type { MeshService, MeshSnapshot } from '../snapshot.ts'
import {
  clusterVariants,
  destinationRuleFor,
  inSubset,
  localityFailover,
  localityPriority,
} from './destination-rules.ts'

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))
const lcm = (a: number, b: number): number => (a * b) / gcd(a, b)

/** Istio's scale factor: the LCM of gateway counts per network and per network+cluster. */
function scaleFactor(gateways: readonly NetworkGateway[]): number {
  const counts = new Map<string, number>()
  for (const g of gateways) {
    counts.set(g.network, (counts.get(g.network) ?? 0) + 1)
    counts.set(`${g.network}/${g.cluster}`, (counts.get(`${g.network}/${g.cluster}`) ?? 0) + 1)
  }
  return [...counts.values()].reduce(lcm, 1)
}

const sameOrEmpty = (a: NetworkId, b: NetworkId) => a === '' || b === '' || a === b

function podEndpoint(e: EndpointRecord, port: number, weight: number): LbEndpoint {
  return {
    address: e.ip,
    port,
    weight,
    network: e.network,
    cluster: e.cluster,
    tlsMode: e.tlsMode,
    kind: 'pod',
    pod: e.pod,
    labels: e.labels,
    locality: e.locality,
  }
}

/** Istio 1.1-1.4's multiplier: the product of gateway counts above one, per network. */
function legacyMultiples(gateways: readonly NetworkGateway[]): number {
  const counts = new Map<string, number>()
  for (const g of gateways) counts.set(g.network, (counts.get(g.network) ?? 0) + 1)
  return [...counts.values()].filter((n) => n > 1).reduce((a, b) => a * b, 1)
}

/**
 * The endpoints one proxy should see for one service port, after split horizon. With `legacy`
 * (Istio 1.1 to 1.4) a network is local only if it is exactly the proxy's, and the endpoints of
 * a remote network with no gateway are dropped instead of kept (istio-semantics §3.3).
 */
export function splitHorizon(
  node: Pick<ProxyNode, 'network' | 'requestedNetworkView'>,
  endpoints: readonly EndpointRecord[],
  targetPort: number,
  gateways: readonly NetworkGateway[],
  legacy = false,
): LbEndpoint[] {
  const view = node.requestedNetworkView
  const visible = view ? endpoints.filter((e) => view.includes(e.network)) : endpoints
  if (gateways.length === 0) return visible.map((e) => podEndpoint(e, targetPort, 1))
  const scale = legacy ? legacyMultiples(gateways) : scaleFactor(gateways)
  const localities = [...new Set(visible.map((e) => e.locality))]
  const out: LbEndpoint[] = []
  for (const locality of localities) {
    const viaGateway = new Map<NetworkGateway, number>()
    for (const e of visible.filter((x) => x.locality === locality)) {
      const forCluster = gateways.filter((g) => g.network === e.network && g.cluster === e.cluster)
      const gws =
        forCluster.length > 0 ? forCluster : gateways.filter((g) => g.network === e.network)
      const w = scale
      if (legacy) {
        if (e.network === node.network) out.push(podEndpoint(e, targetPort, w))
        // "the endpoints within network %s will be ignored for no gateways configured"
        if (e.network === node.network || gws.length === 0) continue
      } else {
        const forced = node.network === '' && e.network !== '' && gws.length > 0
        if (!forced && (sameOrEmpty(node.network, e.network) || gws.length === 0)) {
          out.push(podEndpoint(e, targetPort, w))
          continue
        }
      }
      // Cross-network traffic needs Istio mTLS for the gateway's SNI routing.
      if (e.tlsMode !== 'istio') continue
      for (const g of gws) viaGateway.set(g, (viaGateway.get(g) ?? 0) + w / gws.length)
    }
    for (const [g, weight] of viaGateway) {
      out.push({
        address: g.address,
        port: g.port,
        weight: Math.max(1, Math.round(weight)),
        network: g.network,
        cluster: g.cluster,
        tlsMode: 'istio',
        kind: 'gateway',
        labels: {},
        locality,
      })
    }
  }
  return out
}

/** Locality failover: each endpoint's priority from its locality, compacted to 0..N. */
function prioritized(node: ProxyNode, failover: boolean, eps: LbEndpoint[]): LbEndpoint[] {
  if (!failover) return eps
  const raw = eps.map((e) => localityPriority(node.locality ?? '', e.locality))
  const levels = [...new Set(raw)].sort((a, b) => a - b)
  return eps.map((e, i) => ({ ...e, priority: levels.indexOf(raw[i] ?? 0) }))
}

/** Whether the snapshot's release filters endpoints as Istio 1.1 to 1.4 did. */
export const isLegacySplitHorizon = (snap: MeshSnapshot): boolean =>
  snap.settings.istioVersion !== undefined && !istioAtLeast(snap.settings.istioVersion, 5)

/** Hosts Istio keeps cluster-local by default (pilot/pkg/model/cluster_local.go). */
const DEFAULT_CLUSTER_LOCAL = [
  '*.kube-system.svc.cluster.local',
  'kubernetes.default.svc.cluster.local',
  // The control plane's own Service: each cluster's proxies use their own istiod.
  'istiod.istio-system.svc.cluster.local',
  'istio-pilot.istio-system.svc.cluster.local',
]

/** Whether a host is cluster-local: Istio's defaults, then meshConfig `serviceSettings`. */
export function isClusterLocal(snap: MeshSnapshot, host: string): boolean {
  let local = DEFAULT_CLUSTER_LOCAL.some((h) => hostMatches(h, host))
  // Later entries override earlier ones, as in Istio's ClusterLocalProvider.
  for (const entry of snap.meshConfig.serviceSettings ?? []) {
    if (entry.hosts.some((h) => hostMatches(h, host))) local = entry.settings.clusterLocal ?? local
  }
  return local
}

/** A service's endpoints a proxy may be sent: its own cluster's only, for cluster-local hosts. */
function endpointsFor(node: ProxyNode, snap: MeshSnapshot, s: MeshService): EndpointRecord[] {
  const all = snap.endpoints.get(s.host) ?? []
  return isClusterLocal(snap, s.host) ? all.filter((e) => e.cluster === node.cluster) : [...all]
}

/** Outbound EDS for a sidecar: one assignment per service port and subset. */
export function buildSidecarEndpoints(
  node: ProxyNode,
  snap: MeshSnapshot,
): ClusterLoadAssignment[] {
  return snap.services.flatMap((s) => {
    const rule = destinationRuleFor(snap, s.host, node.namespace, s.namespace)
    const records = endpointsFor(node, snap, s)
    return s.ports.flatMap((p) =>
      clusterVariants(rule).map(([subsetName, subset]) => ({
        clusterName: clusterName({
          direction: 'outbound',
          port: p.port,
          subset: subsetName,
          host: s.host,
        }),
        // Subsets select endpoints first; split horizon then collapses the remote ones.
        endpoints: prioritized(
          node,
          localityFailover(rule, subset),
          s.entry
            ? entryEndpoints(node, snap, s, p, subset)
            : splitHorizon(
                node,
                records.filter((e) => inSubset(e, subset)),
                p.targetPort,
                snap.gateways,
                isLegacySplitHorizon(snap),
              ),
        ),
      })),
    )
  })
}
