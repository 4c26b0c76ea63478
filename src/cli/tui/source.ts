// What the TUI reads from the mesh, behind one small interface so the views can be driven by a
// running Mesh (meshSource) or by a test's fixtures; and where load is sent from and to.

import { type AccessRecord, type Mesh, proxiesOf, proxyDump } from '../../runtime/index.ts'
import type { UpstreamChoice } from './hops.ts'
import {
  type PodRow,
  type ProxyEndpoints,
  podRows,
  proxyEndpoints,
  type ServiceRow,
  serviceRows,
} from './pods.ts'
import { gatewayAddresses, type MeshView, meshView } from './topology.ts'
import { type TrustView, trustView } from './trust.ts'

export interface LoadTarget {
  /** `cluster/namespace/pod` the load leaves from. */
  readonly from: string
  /** Its sidecar's capture port on 127.0.0.1. */
  readonly port: number
  readonly url: string
}

export interface TuiSource {
  readonly name: string
  readonly gateways: readonly string[]
  /** Where `l` sends load by default. */
  readonly load?: LoadTarget
  meshView(): MeshView
  subscribe(listener: (r: AccessRecord) => void): () => void
  /** The :pods view's rows. */
  pods?(): readonly PodRow[]
  /** The :svc view's rows. */
  services?(): readonly ServiceRow[]
  /** A proxy's endpoints as `pc endpoints` reads them; undefined when it has no proxy. */
  endpoints?(cluster: string, namespace: string, pod: string): Promise<ProxyEndpoints | undefined>
  /** What a proxy had for one upstream cluster (its endpoints, LB policy); undefined: no proxy. */
  upstream?(
    cluster: string,
    namespace: string,
    pod: string,
    upstreamCluster: string,
  ): Promise<UpstreamChoice | undefined>
  trust?(now: Date): Promise<TrustView>
  /** Load from a pod (`POD[@CLUSTER]`, by name, prefix or app) to a URL or service; or why not. */
  loadTarget?(from: string, to?: string): LoadTarget | string
}

/** Paths that answer on the samples (others get `/`). */
const PATHS: Readonly<Record<string, string>> = { helloworld: '/hello', httpbin: '/headers' }

/** `NAME[.NAMESPACE][:PORT][/PATH]` or a URL, resolved against the sender's cluster's services. */
function targetUrl(mesh: Mesh, from: { cluster: string; namespace: string }, to: string): string {
  if (/^https?:\/\//.test(to)) return to
  const m = /^([^.:/]+)(?:\.([^.:/]+))?[^:/]*(?::(\d+))?(\/.*)?$/.exec(to)
  const [, name = to, ns, port, path] = m ?? []
  const all = [...mesh.clusters.values()].flatMap(
    (c) => c.workloads?.services ?? c.inventory.services,
  )
  const svc =
    all.find(
      (s) =>
        s.cluster === from.cluster && s.name === name && s.namespace === (ns ?? from.namespace),
    ) ?? all.find((s) => s.name === name && (ns === undefined || s.namespace === ns))
  const namespace = ns ?? svc?.namespace ?? from.namespace
  return `http://${name}.${namespace}:${port ?? svc?.ports[0]?.port ?? 80}${path ?? PATHS[name] ?? '/'}`
}

/**
 * Load from `from` (a sidecar pod: `POD[@CLUSTER]` by name, name prefix or app, or
 * CLUSTER/NAMESPACE/POD) to `to` (default: helloworld, else httpbin); a string says why not.
 */
export function loadTarget(mesh: Mesh, from = 'sleep', to?: string): LoadTarget | string {
  const parts = from.split('/')
  const [name = '', cluster] = parts.length === 3 ? [parts[2] ?? '', parts[0]] : from.split('@')
  const pod = mesh.pods
    .filter((p) => p.sidecar && (cluster === undefined || p.cluster === cluster))
    .find((p) => p.name === name || p.app === name || p.name.startsWith(name))
  const port = pod?.sidecar?.capturePort
  if (pod === undefined || port === undefined) {
    return `no pod ${from} with a sidecar to send load from`
  }
  const fallback = mesh.pods.some((p) => p.app === 'helloworld') ? 'helloworld' : 'httpbin'
  return {
    from: `${pod.cluster}/${pod.namespace}/${pod.name}`,
    port,
    url: targetUrl(mesh, pod, to ?? fallback),
  }
}

/** One proxy's config dump, found by its pod; undefined when the pod has no proxy. */
async function dumpOf(mesh: Mesh, cluster: string, namespace: string, pod: string) {
  const entry = proxiesOf(mesh).find(
    (p) => p.cluster === cluster && p.namespace === namespace && p.pod === pod,
  )
  return entry ? proxyDump(entry) : undefined
}

export function meshSource(mesh: Mesh): TuiSource {
  const load = loadTarget(mesh)
  return {
    name: mesh.spec.name,
    gateways: gatewayAddresses(mesh),
    ...(typeof load === 'string' ? {} : { load }),
    meshView: () => meshView(mesh),
    subscribe: (listener) => mesh.records.subscribe(listener),
    pods: () => podRows(mesh),
    services: () => serviceRows(mesh),
    endpoints: async (cluster, namespace, pod) => {
      const dump = await dumpOf(mesh, cluster, namespace, pod)
      return dump ? proxyEndpoints(dump) : undefined
    },
    upstream: async (cluster, namespace, pod, upstreamCluster) => {
      const dump = await dumpOf(mesh, cluster, namespace, pod)
      if (dump === undefined) return undefined
      const group = proxyEndpoints(dump).groups.find((g) => g.cluster === upstreamCluster)
      const lbPolicy = dump.config?.clusters.find((c) => c.name === upstreamCluster)?.lbPolicy
      return {
        network: dump.node.network,
        endpoints: group?.endpoints ?? [],
        ...(lbPolicy ? { lbPolicy } : {}),
      }
    },
    trust: async (now) => trustView(await Promise.all(proxiesOf(mesh).map(proxyDump)), now),
    loadTarget: (from, to) => loadTarget(mesh, from, to),
  }
}
