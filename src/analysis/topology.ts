// An AnalysisInput from a topology file, as the mesh would run it: each cluster's inline resources
// (with any resource files applied over them), the Services and pods of its workloads and of the
// Services and Deployments among its resources, and the clusters each istiod discovers.

import {
  type Cluster,
  type IstioResource,
  type MeshSpec,
  resourceKey,
  type ServicePort,
} from '../model/index.ts'
import type { YamlSource } from './locate.ts'
import type {
  AnalysisInput,
  ClusterInput,
  LocatedResource,
  Origin,
  PodInput,
  Position,
  ServiceInput,
} from './types.ts'

/** The Services and pods a topology deploys in one cluster (the runtime's inventory). */
export interface Inventory {
  readonly services: readonly {
    readonly namespace: string
    readonly name: string
    readonly ports: readonly ServicePort[]
  }[]
  readonly pods: readonly {
    readonly namespace: string
    readonly app: string
    readonly version?: string
    readonly labels?: Readonly<Record<string, string>>
  }[]
}

export interface TopologySource {
  readonly spec: MeshSpec
  /** One per cluster, in topology order. */
  readonly inventories: readonly Inventory[]
  /** The topology text with positions, for origins. */
  readonly yaml?: YamlSource
  /** Resources from files, applied (as kubectl apply) over a cluster's own. */
  readonly applied?: readonly {
    readonly cluster: string
    readonly resources: readonly LocatedResource[]
  }[]
  /** The API server address a remote secret must name to reach a cluster. */
  readonly apiServerOf: (cluster: string) => string
}

/** Applied Services replace the topology's of the same name; Deployments add their pods. */
export function withApplied(
  services: readonly ServiceInput[],
  pods: readonly PodInput[],
  resources: readonly LocatedResource[],
): { services: ServiceInput[]; pods: PodInput[] } {
  const out = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]))
  const more: PodInput[] = []
  for (const { resource: r, origin } of resources) {
    if (r.kind === 'Service')
      out.set(`${r.metadata.namespace}/${r.metadata.name}`, {
        namespace: r.metadata.namespace,
        name: r.metadata.name,
        ports: r.ports,
        selector: r.selector,
        ...(origin ? { origin } : {}),
      })
    if (r.kind === 'Deployment')
      for (let i = 0; i < r.replicas; i++)
        more.push({ namespace: r.metadata.namespace, labels: r.podLabels })
  }
  return { services: [...out.values()], pods: [...pods, ...more] }
}

/** A workload's origin with its port fields keyed as a Service's (`spec.ports[0].port`). */
function asServiceOrigin(o: Origin | undefined): Origin | undefined {
  if (!o) return undefined
  const fields: Record<string, Position> = {}
  for (const [k, v] of Object.entries(o.fields ?? {}))
    if (k.startsWith('ports[')) fields[`spec.${k}`] = v
  return { ...o, fields }
}

/** Clusters the istiod of `c` discovers: itself, the topology's remote secrets, and applied ones that reach. */
function discovered(
  spec: MeshSpec,
  c: Cluster,
  resources: readonly IstioResource[],
  apiServerOf: (cluster: string) => string,
): string[] {
  if (c.controlPlane.mode !== 'primary') return [c.name]
  const out = new Set<string>([c.name, ...c.remoteSecrets])
  for (const r of resources) {
    if (r.kind !== 'Secret') continue
    for (const a of r.remoteClusters)
      if (
        a.problem === undefined &&
        spec.clusters.some((x) => x.name === a.cluster) &&
        a.server === apiServerOf(a.cluster)
      )
        out.add(a.cluster)
  }
  return [...out]
}

export function inputFromTopology(src: TopologySource): AnalysisInput {
  const { spec, yaml } = src
  const clusters = spec.clusters.map((c, i): ClusterInput => {
    const own: LocatedResource[] = c.resources.map((resource, j) => {
      const origin = yaml?.originIn('Mesh', ['spec', 'clusters', i, 'resources', j])
      return { resource, ...(origin ? { origin } : {}) }
    })
    // kubectl apply: a file's resource replaces the cluster's of the same kind/namespace/name.
    const byKey = new Map(own.map((r) => [resourceKey(r.resource), r]))
    for (const a of src.applied ?? [])
      if (a.cluster === c.name) for (const r of a.resources) byKey.set(resourceKey(r.resource), r)
    const resources = [...byKey.values()]
    const inventory = src.inventories[i] ?? { services: [], pods: [] }
    const services = inventory.services.map((s): ServiceInput => {
      const k = c.workloads.findIndex((w) => w.namespace === s.namespace && w.app === s.name)
      const origin =
        k < 0
          ? undefined
          : asServiceOrigin(yaml?.originIn('Mesh', ['spec', 'clusters', i, 'workloads', k]))
      return { namespace: s.namespace, name: s.name, ports: s.ports, ...(origin ? { origin } : {}) }
    })
    const pods = inventory.pods.map((p) => ({
      namespace: p.namespace,
      labels: p.labels ?? { app: p.app, ...(p.version ? { version: p.version } : {}) },
    }))
    return {
      name: c.name,
      primary: c.controlPlane.mode === 'primary',
      discovers: discovered(
        spec,
        c,
        resources.map((r) => r.resource),
        src.apiServerOf,
      ),
      remoteSecrets: c.remoteSecrets,
      resources,
      ...withApplied(services, pods, resources),
    }
  })
  const origin = yaml?.originIn('Mesh', ['spec', 'meshNetworks'])
  return {
    clusters,
    ...(spec.meshNetworks
      ? {
          meshNetworks: {
            networks: spec.meshNetworks,
            ...(origin
              ? { origin: { ...origin, fields: prefixed('networks', origin.fields) } }
              : {}),
          },
        }
      : {}),
  }
}

const prefixed = (prefix: string, fields: Origin['fields']): Record<string, Position> =>
  Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [`${prefix}.${k}`, v]))
