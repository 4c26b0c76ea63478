// Read-only views of a running mesh for the admin API: every proxy with what it runs (the config
// its control plane pushed and it acknowledged, plus its secrets), each primary's remote
// clusters, and the resources a cluster's API server holds.

import type { ClusterId, IstioResource } from '../model/index.ts'
import type { ProxyConfig, ProxyNode } from '../xds/index.ts'
import type { Mesh } from './mesh.ts'
import type { PodHandle } from './pod-threads.ts'
import type { RemoteClusterStatus } from './remote-clusters.ts'
import { type SecretSummary, secretSummaries } from './secrets.ts'

export interface ProxyEntry {
  readonly cluster: ClusterId
  readonly namespace: string
  readonly pod: string
  readonly handle: PodHandle
}

/** Every proxy of the mesh: sidecars, then gateways. */
export function proxiesOf(mesh: Mesh): ProxyEntry[] {
  const handles = [
    ...mesh.pods.flatMap((p) => (p.sidecar ? [p.sidecar] : [])),
    ...mesh.gateways.map((g) => g.proxy),
  ]
  return handles.map((h) => ({
    cluster: h.node.cluster,
    namespace: h.node.namespace,
    pod: h.node.pod,
    handle: h,
  }))
}

/** A proxy's config dump: who it is, what it runs, and its secrets. */
export interface ProxyDump {
  readonly node: ProxyNode
  readonly config?: ProxyConfig
  readonly secrets: readonly SecretSummary[]
  /** Hosts outlier detection has ejected, as `cluster|address:port` (pc endpoints: FAILED). */
  readonly ejected: readonly string[]
}

export async function proxyDump(entry: ProxyEntry): Promise<ProxyDump> {
  const { handle } = entry
  const ejected =
    handle.node.type === 'sidecar' && handle.running
      ? await handle.ejectedHosts().catch(() => [])
      : []
  return {
    node: handle.node,
    ...(handle.config ? { config: handle.config } : {}),
    secrets: handle.secret ? secretSummaries(handle.secret) : [],
    ejected,
  }
}

/** Each primary's view of the clusters it watches, as `istioctl remote-clusters` lists them. */
export function remoteClustersOf(mesh: Mesh): {
  readonly istiod: string
  readonly cluster: ClusterId
  readonly remote: RemoteClusterStatus
}[] {
  return [...mesh.clusters.values()].flatMap((c) =>
    (c.remotes?.status ?? []).map((remote) => ({
      istiod: mesh.istiod(c.spec.name)?.name ?? '',
      cluster: c.spec.name,
      remote,
    })),
  )
}

/** The resources a cluster's API server holds, optionally of one kind. */
export function resourcesOf(
  mesh: Mesh,
  cluster: ClusterId,
  kind?: IstioResource['kind'],
): readonly IstioResource[] {
  const all = mesh.clusters.get(cluster)?.config.list() ?? []
  return kind ? all.filter((r) => r.kind === kind) : all
}
