// What `istioctl x describe pod|service` says, as data: a pod's ports and the Services that
// select it, and for each Service the DestinationRule and VirtualService its cluster's istiod
// applies (the primary's config for a remote cluster), with the subsets the pod matches.

import type {
  ClusterId,
  DestinationRule,
  HttpRoute,
  IstioResource,
  VirtualService,
} from '../model/index.ts'
import { hostMatches, qualifyHost } from '../model/index.ts'
import { labelsOf, type Pod, type Service, selects } from './inventory.ts'
import type { Mesh } from './mesh.ts'

export interface RouteSummary {
  /** Match conditions in words, or `(everything)`. */
  readonly match: string
  readonly destinations: readonly { host: string; subset?: string; weight?: number }[]
}

export interface ServiceDescription {
  readonly cluster: string
  readonly name: string
  readonly namespace: string
  readonly ports: readonly { name: string; port: number; targetPort: number; protocol: string }[]
  readonly destinationRule?: {
    readonly name: string
    readonly host: string
    readonly matchingSubsets: readonly string[]
    readonly nonMatchingSubsets: readonly string[]
    readonly tlsMode?: string
  }
  readonly virtualService?: { readonly name: string; readonly httpRoutes: readonly RouteSummary[] }
}

export interface PodDescription {
  readonly cluster: string
  readonly namespace: string
  readonly pod: string
  readonly labels: Readonly<Record<string, string>>
  readonly hasSidecar: boolean
  readonly containerPorts: readonly number[]
  readonly services: readonly ServiceDescription[]
}

/** The Istio config that configures proxies of a cluster: its own, or its primary's. */
function configFor(mesh: Mesh, cluster: ClusterId): readonly IstioResource[] {
  const c = mesh.clusters.get(cluster)?.spec
  const from = c?.controlPlane.mode === 'remote' ? c.controlPlane.primary : cluster
  return mesh.clusters.get(from)?.config.list() ?? []
}

function servicesOf(mesh: Mesh, cluster: ClusterId): readonly Service[] {
  const c = mesh.clusters.get(cluster)
  return c?.workloads?.services ?? c?.inventory.services ?? []
}

function matchWords(r: HttpRoute): string {
  const ms = r.match ?? []
  if (ms.length === 0) return '(everything)'
  return ms
    .map((m) => {
      const parts: string[] = []
      if (m.uri) parts.push(`uri ${Object.entries(m.uri).map(([k, v]) => `${k} ${v}`)[0]}`)
      for (const [h, v] of Object.entries(m.headers ?? {}))
        parts.push(`header ${h}${Object.entries(v).map(([k, x]) => ` ${k} ${x}`)[0] ?? ''}`)
      return parts.join(' and ') || '(everything)'
    })
    .join(' or ')
}

function describeService(mesh: Mesh, s: Service, pod?: Pod): ServiceDescription {
  const config = configFor(mesh, s.cluster)
  const host = s.host as string
  const rule = config.find(
    (r): r is DestinationRule =>
      r.kind === 'DestinationRule' &&
      hostMatches(qualifyHost(r.spec.host, r.metadata.namespace), host),
  )
  const vs = config.find(
    (r): r is VirtualService =>
      r.kind === 'VirtualService' &&
      (r.spec.gateways === undefined || r.spec.gateways.includes('mesh')) &&
      r.spec.hosts.some((h) => hostMatches(qualifyHost(h, r.metadata.namespace), host)),
  )
  const labels = pod ? labelsOf(pod) : {}
  const subsets = rule?.spec.subsets ?? []
  const matches = (l: Readonly<Record<string, string>> | undefined) =>
    Object.entries(l ?? {}).every(([k, v]) => labels[k] === v)
  return {
    cluster: s.cluster,
    name: s.name,
    namespace: s.namespace,
    ports: s.ports.map((p) => ({
      name: p.name,
      port: p.port,
      targetPort: p.targetPort,
      protocol: p.protocol,
    })),
    ...(rule
      ? {
          destinationRule: {
            name: rule.metadata.name,
            host: rule.spec.host,
            matchingSubsets: pod
              ? subsets.filter((x) => matches(x.labels)).map((x) => x.name)
              : subsets.map((x) => x.name),
            nonMatchingSubsets: pod
              ? subsets.filter((x) => !matches(x.labels)).map((x) => x.name)
              : [],
            ...(rule.spec.trafficPolicy?.tls ? { tlsMode: rule.spec.trafficPolicy.tls.mode } : {}),
          },
        }
      : {}),
    ...(vs
      ? {
          virtualService: {
            name: vs.metadata.name,
            httpRoutes: (vs.spec.http ?? []).map((r) => ({
              match: matchWords(r),
              destinations: (r.route ?? []).map((d) => ({
                host: d.destination.host,
                ...(d.destination.subset ? { subset: d.destination.subset } : {}),
                ...(d.weight !== undefined ? { weight: d.weight } : {}),
              })),
            })),
          },
        }
      : {}),
  }
}

export function describePod(mesh: Mesh, cluster: ClusterId, pod: Pod): PodDescription {
  const running = mesh.pods.find((p) => p.cluster === cluster && p.name === pod.name)
  return {
    cluster,
    namespace: pod.namespace,
    pod: pod.name,
    labels: labelsOf(pod),
    hasSidecar: running?.sidecar !== undefined,
    containerPorts: [
      ...new Set(
        servicesOf(mesh, cluster)
          .filter((s) => selects(s, pod))
          .flatMap((s) => s.ports.map((p) => p.targetPort)),
      ),
    ],
    services: servicesOf(mesh, cluster)
      .filter((s) => selects(s, pod))
      .map((s) => describeService(mesh, s, pod)),
  }
}

export function describeServiceNamed(
  mesh: Mesh,
  cluster: ClusterId,
  namespace: string,
  name: string,
): ServiceDescription | undefined {
  const s = servicesOf(mesh, cluster).find((x) => x.namespace === namespace && x.name === name)
  return s ? describeService(mesh, s) : undefined
}
