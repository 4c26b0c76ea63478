// What the mesh map draws, read from a running Mesh: networks holding their clusters; in each,
// its control plane and whether its proxies are synced, its east-west gateway's public address,
// and its workloads by service and version. Plain data, so the view renders without a mesh.

import type { Mesh } from '../../runtime/index.ts'

export interface ClusterView {
  readonly name: string
  /** 'primary', or 'remote of clusterX'. */
  readonly controlPlane: string
  /** Config version its istiod serves (remotes: their primary's). */
  readonly configVersion: number
  /** Proxies of the cluster by sync state, e.g. { SYNCED: 3, STALE: 1 }. */
  readonly proxies: Readonly<Record<string, number>>
  /** `address:port` of its east-west gateway. */
  readonly gateway?: string
  /** Workloads by app, each with its versions and pod counts. */
  readonly services: readonly {
    app: string
    versions: readonly { version: string; pods: number }[]
  }[]
}

export interface NetworkView {
  readonly name: string
  readonly clusters: readonly ClusterView[]
}

export interface MeshView {
  readonly name: string
  readonly networks: readonly NetworkView[]
}

export function meshView(mesh: Mesh): MeshView {
  const status = mesh.proxyStatus()
  const networks = new Map<string, ClusterView[]>()
  for (const c of mesh.clusters.values()) {
    const cp = c.spec.controlPlane
    const primary = cp.mode === 'remote' ? cp.primary : c.spec.name
    const proxies: Record<string, number> = {}
    for (const s of status.filter((s) => s.cluster === c.spec.name)) {
      proxies[s.status] = (proxies[s.status] ?? 0) + 1
    }
    const apps = new Map<string, Map<string, number>>()
    for (const p of mesh.pods.filter((p) => p.cluster === c.spec.name && p.sidecar)) {
      const versions = apps.get(p.app) ?? new Map<string, number>()
      versions.set(p.version ?? '', (versions.get(p.version ?? '') ?? 0) + 1)
      apps.set(p.app, versions)
    }
    const gw = mesh.gateways.find((g) => g.cluster === c.spec.name)
    const view: ClusterView = {
      name: c.spec.name,
      controlPlane: cp.mode === 'remote' ? `remote of ${cp.primary}` : 'primary',
      configVersion: mesh.clusters.get(primary)?.controlPlane?.snapshot.version ?? 0,
      proxies,
      ...(gw ? { gateway: `${gw.address}:${gw.port}` } : {}),
      services: [...apps].map(([app, versions]) => ({
        app,
        versions: [...versions]
          .map(([version, pods]) => ({ version, pods }))
          .sort((a, b) => a.version.localeCompare(b.version)),
      })),
    }
    networks.set(c.spec.network, [...(networks.get(c.spec.network) ?? []), view])
  }
  return {
    name: mesh.spec.name,
    networks: [...networks].map(([name, clusters]) => ({ name, clusters })),
  }
}

/** `address:port` of every east-west gateway, for TrafficWindow. */
export function gatewayAddresses(mesh: Mesh): string[] {
  return mesh.gateways.map((g) => `${g.address}:${g.port}`)
}
