// What the analyzers read and what they report, as plain data: per cluster, the Istio resources
// its API server holds, the Services and pods that exist there, and which clusters its istiod
// discovers; out come Istio's analysis messages, each naming a resource and its cluster.

import type { IstioResource, MeshNetwork, ServicePort } from '../model/index.ts'
import type { Level } from './messages.ts'

/** A 1-based position in a file. */
export interface Position {
  readonly line: number
  readonly col: number
}

/** Where a resource was written, and where each of its fields is (keys like `spec.http[0].route`). */
export interface Origin extends Position {
  readonly file: string
  readonly fields?: Readonly<Record<string, Position>>
}

export interface LocatedResource {
  readonly resource: IstioResource
  readonly origin?: Origin
}

/** A Service that exists in a cluster: a topology workload's or an applied one. */
export interface ServiceInput {
  readonly namespace: string
  readonly name: string
  readonly ports: readonly ServicePort[]
  /** The pods it selects; absent means `app: <name>` (a topology workload's Service). */
  readonly selector?: Readonly<Record<string, string>>
  /** Where it was written, with fields keyed as a Service's (`spec.ports[0].port`). */
  readonly origin?: Origin
}

export interface PodInput {
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
}

export interface ClusterInput {
  readonly name: string
  /** Whether it runs an istiod (a primary), which reads this cluster's resources. */
  readonly primary: boolean
  /** Clusters whose Services and pods its istiod discovers, itself included (a remote: itself). */
  readonly discovers: readonly string[]
  /** Clusters the topology gives its istiod remote secrets for. */
  readonly remoteSecrets: readonly string[]
  readonly resources: readonly LocatedResource[]
  readonly services: readonly ServiceInput[]
  readonly pods: readonly PodInput[]
}

export interface MeshNetworksInput {
  readonly networks: Readonly<Record<string, MeshNetwork>>
  /** Fields keyed `networks.<name>.endpoints[0].fromRegistry`. */
  readonly origin?: Origin
}

export interface AnalysisInput {
  readonly clusters: readonly ClusterInput[]
  /** The topology's meshNetworks; an istio ConfigMap in a primary replaces them for its istiod. */
  readonly meshNetworks?: MeshNetworksInput
}

export interface ResourceRef {
  readonly kind: string
  /** Empty for cluster-scoped kinds (Namespace). */
  readonly namespace: string
  readonly name: string
  readonly cluster: string
}

/** One finding, as `istioctl analyze -o json` would list it, plus the cluster. */
export interface AnalysisMessage {
  readonly level: Level
  readonly code: string
  readonly resource: ResourceRef
  readonly message: string
  /** FILE:LINE:COL of the field at fault (or of the resource) when read from a file. */
  readonly origin?: string
  readonly documentationUrl: string
}
