// What one cluster's istiod knows of hosts: the Services of every cluster it discovers (merged by
// name, as Istio merges a Service present in several clusters) and the ServiceEntries of its own
// cluster, each with the namespaces it is exported to, its ports, and the labels of its
// instances (the pods the Service selects, the ServiceEntry's endpoints).

import type { IstioResource, ServiceEntry } from '../model/index.ts'
import { exportScopes, toFqdn } from './hosts.ts'
import type { AnalysisInput, ClusterInput, PodInput, ServiceInput } from './types.ts'

export interface KnownHost {
  readonly host: string
  readonly scopes: readonly string[]
  readonly ports: ReadonlySet<number>
  readonly instances: readonly Readonly<Record<string, string>>[]
}

const EXPORT_TO = 'networking.istio.io/exportTo'

/** Whether every label of `selector` is on `labels`. */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}

function podsOf(s: ServiceInput, pods: readonly PodInput[]): Record<string, string>[] {
  const selector = s.selector ?? { app: s.name }
  // A Service with an empty selector has no endpoints.
  if (Object.keys(selector).length === 0) return []
  return pods
    .filter((p) => p.namespace === s.namespace && selects(selector, p.labels))
    .map((p) => ({ ...p.labels }))
}

function serviceResource(c: ClusterInput, s: ServiceInput): IstioResource | undefined {
  return c.resources.find(
    ({ resource: r }) =>
      r.kind === 'Service' && r.metadata.namespace === s.namespace && r.metadata.name === s.name,
  )?.resource
}

export class Catalog {
  readonly #hosts: KnownHost[] = []

  constructor(input: AnalysisInput, cluster: ClusterInput) {
    const merged = new Map<
      string,
      { scopes: string[]; ports: Set<number>; instances: Record<string, string>[] }
    >()
    for (const name of cluster.discovers) {
      const c = input.clusters.find((x) => x.name === name)
      if (!c) continue
      for (const s of c.services) {
        const host = `${s.name}.${s.namespace}.svc.cluster.local`
        const annotation = serviceResource(c, s)?.metadata.annotations?.[EXPORT_TO]
        const scopes = exportScopes(
          s.namespace,
          annotation?.split(',').map((x) => x.trim()),
        )
        const known = merged.get(host) ?? { scopes, ports: new Set<number>(), instances: [] }
        for (const p of s.ports) known.ports.add(p.port)
        known.instances.push(...podsOf(s, c.pods))
        merged.set(host, known)
      }
    }
    for (const [host, k] of merged) this.#hosts.push({ host, ...k })
    for (const { resource: r } of cluster.resources)
      if (r.kind === 'ServiceEntry') this.#addServiceEntry(r)
  }

  #addServiceEntry(se: ServiceEntry): void {
    const ns = se.metadata.namespace
    const scopes = exportScopes(ns, se.spec.exportTo)
    const ports = new Set((se.spec.ports ?? []).map((p) => p.number))
    const instances = (se.spec.endpoints ?? []).map((e) => ({ ...(e.labels ?? {}) }))
    for (const h of se.spec.hosts)
      this.#hosts.push({ host: toFqdn(ns, h), scopes, ports, instances })
  }

  /**
   * GetDestinationHost: what `host`, written in a resource of namespace `ns` (with that
   * resource's exportTo), refers to: an exact name visible there, else a wildcard ServiceEntry
   * host covering it.
   */
  lookup(ns: string, exportTo: readonly string[] | undefined, host: string): KnownHost | undefined {
    const fqdn = toFqdn(ns, host)
    const exact = this.#hosts.filter((h) => h.host === fqdn)
    const visibleIn = (scope: string) => exact.find((h) => h.scopes.includes(scope))
    const found =
      visibleIn('*') ??
      (exportTo && exportTo.length > 0
        ? exportTo.map((e) => visibleIn(e === '.' ? ns : e)).find((h) => h !== undefined)
        : visibleIn(ns))
    if (found) return found
    const bare = fqdn.startsWith('*') ? fqdn.slice(1) : fqdn
    return this.#hosts.find(
      (h) =>
        h.host.startsWith('*') &&
        (h.scopes.includes('*') || h.scopes.includes(ns)) &&
        bare.endsWith(h.host.slice(1)),
    )
  }
}
