// What the :pods and :svc views show, read from a running Mesh: every pod with its sidecar's sync
// state, the services of each cluster with their endpoints as one client proxy sees them, and a
// proxy's endpoints (the acked EDS and ejected hosts `pc endpoints` reads) grouped by cluster so
// split horizon shows: local pod IPs next to remote networks' east-west gateways and weights.

import type { Mesh, ProxyDump } from '../../runtime/index.ts'
import { byteOrder } from '../render/envoy.ts'

export interface PodRow {
  readonly cluster: string
  readonly network: string
  readonly namespace: string
  readonly name: string
  readonly app: string
  readonly version: string
  readonly ip: string
  /** Its proxy: a sidecar, a gateway (the pod is the proxy), or none. */
  readonly proxy: 'sidecar' | 'gateway' | 'none'
  /** kubectl's READY: 2/2 with a sidecar. */
  readonly ready: string
  /** proxy-status of its proxy, '-' without one. */
  readonly sync: string
}

export function podRows(mesh: Mesh): PodRow[] {
  const status = mesh.proxyStatus()
  const gateways = new Set(mesh.gateways.map((g) => `${g.cluster}/${g.pod.name}`))
  return mesh.pods
    .map((p): PodRow => {
      const proxy = p.sidecar
        ? 'sidecar'
        : gateways.has(`${p.cluster}/${p.name}`)
          ? 'gateway'
          : 'none'
      const s = status.find((s) => s.cluster === p.cluster && s.pod === p.name)
      return {
        cluster: p.cluster,
        network: p.network,
        namespace: p.namespace,
        name: p.name,
        app: p.app,
        version: p.version ?? '',
        ip: p.ip,
        proxy,
        ready: proxy === 'sidecar' ? '2/2' : '1/1',
        sync: s?.status ?? '-',
      }
    })
    .sort(
      (a, b) =>
        byteOrder(a.cluster, b.cluster) ||
        byteOrder(a.namespace, b.namespace) ||
        byteOrder(a.name, b.name),
    )
}

export interface EndpointRow {
  /** `address:port` */
  readonly host: string
  readonly status: 'HEALTHY'
  readonly outlier: 'OK' | 'FAILED'
  readonly weight: number
  /** Where it leads: `local pod NAME`, `gateway of cluster2 (network2)`, `service entry`. */
  readonly reaches: string
  readonly remote: boolean
}

export interface EndpointGroup {
  /** The Envoy cluster, e.g. outbound|5000||helloworld.sample.svc.cluster.local. */
  readonly cluster: string
  readonly endpoints: readonly EndpointRow[]
}

export interface ProxyEndpoints {
  /** `pod.namespace @cluster` */
  readonly proxy: string
  readonly network: string
  readonly ip: string
  /** The config version it acknowledged; absent: it has none yet (NOT SENT). */
  readonly version?: number
  readonly groups: readonly EndpointGroup[]
}

/** A dump's endpoints: clusters reaching another network first, local endpoints before remote. */
export function proxyEndpoints(dump: ProxyDump): ProxyEndpoints {
  const { node } = dump
  const failed = new Set(dump.ejected)
  const groups = (dump.config?.endpoints ?? []).map((a): EndpointGroup => {
    const endpoints = a.endpoints.map((e): EndpointRow => {
      const host = `${e.address}:${e.port}`
      const remote = e.network !== node.network
      const reaches =
        e.kind === 'gateway'
          ? `gateway of ${e.cluster} (${e.network})`
          : e.kind === 'service-entry'
            ? `service entry (${e.network})`
            : `${remote ? 'pod' : 'local pod'} ${e.pod ?? ''} @${e.cluster}`
      return {
        host,
        status: 'HEALTHY',
        outlier: failed.has(`${a.clusterName}|${host}`) ? 'FAILED' : 'OK',
        weight: e.weight,
        reaches,
        remote,
      }
    })
    endpoints.sort((x, y) => Number(x.remote) - Number(y.remote) || byteOrder(x.host, y.host))
    return { cluster: a.clusterName, endpoints }
  })
  const crosses = (g: EndpointGroup) => (g.endpoints.some((e) => e.remote) ? 0 : 1)
  // Then by service and port, as istioctl orders clusters (outbound|PORT||HOST).
  const host = (g: EndpointGroup) => g.cluster.split('|')[3] ?? g.cluster
  const port = (g: EndpointGroup) => Number(g.cluster.split('|')[1]) || 0
  groups.sort(
    (x, y) =>
      crosses(x) - crosses(y) ||
      byteOrder(host(x), host(y)) ||
      port(x) - port(y) ||
      byteOrder(x.cluster, y.cluster),
  )
  return {
    proxy: `${node.pod}.${node.namespace} @${node.cluster}`,
    network: node.network,
    ip: node.ip,
    ...(dump.config ? { version: dump.config.version } : {}),
    groups,
  }
}

export interface ServiceRow {
  readonly cluster: string
  readonly namespace: string
  readonly name: string
  readonly host: string
  /** `5000/HTTP,…` */
  readonly ports: string
  /** Endpoints on the client's network, and those behind remote gateways (their weights). */
  readonly local: number
  readonly remote: number
}

/** Each cluster's services, their endpoints counted from the first sidecar pod's acked EDS. */
export function serviceRows(mesh: Mesh): ServiceRow[] {
  return [...mesh.clusters.values()].flatMap((c) => {
    // The first in :pods order, the one :svc's enter opens.
    const [client] = mesh.pods
      .filter((p) => p.cluster === c.spec.name && p.sidecar)
      .sort((a, b) => byteOrder(a.namespace, b.namespace) || byteOrder(a.name, b.name))
    const eds = client?.sidecar?.config?.endpoints ?? []
    return (c.workloads?.services ?? c.inventory.services).map((s): ServiceRow => {
      let local = 0
      let remote = 0
      // One port's cluster: every port of a service has the same endpoints.
      const a = eds.find((x) => x.clusterName === `outbound|${s.ports[0]?.port}||${s.host}`)
      for (const e of a?.endpoints ?? []) {
        if (e.network === client?.network) local++
        else remote += e.weight
      }
      return {
        cluster: c.spec.name,
        namespace: s.namespace,
        name: s.name,
        host: s.host,
        ports: s.ports.map((p) => `${p.port}/${p.protocol}`).join(','),
        local,
        remote,
      }
    })
  })
}
