// Istio's networking resources as plain, validated data (networking.istio.io v1/v1beta1/
// v1alpha3): the shape the guides write, with the namespace filled in. src/config parses and
// checks them; control planes read them from their own cluster's config store.

import type { Namespace } from './ids.ts'
import type {
  ConfigMap,
  Deployment,
  KubeNamespace,
  KubeService,
  KubeServiceAccount,
  Secret,
} from './kube.ts'
import type { IstioVersion } from './mesh.ts'

/** Istio's default release for topologies that pin none. */
export const DEFAULT_ISTIO_VERSION: IstioVersion = { major: 1, minor: 24 }

/** Whether a release is `1.minor` or newer (behaviours that changed, istio-semantics §0.1). */
export const istioAtLeast = (v: IstioVersion, minor: number): boolean => v.minor >= minor

/** Every kind meshsim reads from a cluster's API server. */
export const ISTIO_KINDS = [
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'Gateway',
  'Secret',
  'ConfigMap',
  'Namespace',
  'Service',
  'ServiceAccount',
  'Deployment',
] as const

export type IstioKind = (typeof ISTIO_KINDS)[number]

export interface ObjectMeta {
  readonly name: string
  readonly namespace: Namespace
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/** Istio's StringMatch: exactly one of exact, prefix or regex (RE2, whole-string match). */
export type StringMatch =
  | { readonly exact: string }
  | { readonly prefix: string }
  | { readonly regex: string }

export interface HttpMatchRequest {
  readonly name?: string
  readonly uri?: StringMatch
  /** Header names are lower case. An empty match object means "present". */
  readonly headers?: Readonly<Record<string, StringMatch | Record<string, never>>>
  readonly withoutHeaders?: Readonly<Record<string, StringMatch | Record<string, never>>>
  readonly port?: number
  /** Matches the calling workload's labels (applied when the control plane builds its routes). */
  readonly sourceLabels?: Readonly<Record<string, string>>
  readonly ignoreUriCase?: boolean
}

export interface Destination {
  /** As written: a short name (`helloworld`) is relative to the resource's namespace. */
  readonly host: string
  readonly subset?: string
  readonly port?: { readonly number: number }
}

export interface RouteDestination {
  readonly destination: Destination
  /** Relative weight; absent means the only destination (100). */
  readonly weight?: number
}

export interface HttpRoute {
  readonly name?: string
  readonly match?: readonly HttpMatchRequest[]
  readonly route?: readonly RouteDestination[]
  readonly directResponse?: { readonly status: number; readonly body?: { readonly string: string } }
}

export interface TlsMatch {
  readonly sniHosts: readonly string[]
  readonly port?: number
  readonly gateways?: readonly string[]
}

export interface TlsRoute {
  readonly match: readonly TlsMatch[]
  readonly route: readonly RouteDestination[]
}

export interface TcpRoute {
  readonly match?: readonly { readonly port?: number; readonly gateways?: readonly string[] }[]
  readonly route: readonly RouteDestination[]
}

export interface VirtualService {
  readonly kind: 'VirtualService'
  readonly metadata: ObjectMeta
  readonly spec: {
    readonly hosts: readonly string[]
    /** Absent or containing `mesh`: applies to sidecars. Other names are Gateways. */
    readonly gateways?: readonly string[]
    readonly http?: readonly HttpRoute[]
    readonly tls?: readonly TlsRoute[]
    readonly tcp?: readonly TcpRoute[]
    readonly exportTo?: readonly string[]
  }
}

export type LbSimple = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'LEAST_CONN' | 'RANDOM' | 'PASSTHROUGH'

export interface LocalityLbSetting {
  readonly enabled?: boolean
  readonly failover?: readonly { readonly from: string; readonly to: string }[]
  readonly failoverPriority?: readonly string[]
  readonly distribute?: readonly {
    readonly from: string
    readonly to: Readonly<Record<string, number>>
  }[]
}

export interface TrafficPolicy {
  readonly loadBalancer?: {
    readonly simple?: LbSimple
    readonly localityLbSetting?: LocalityLbSetting
  }
  readonly outlierDetection?: {
    readonly consecutive5xxErrors?: number
    readonly consecutiveGatewayErrors?: number
    readonly interval?: string
    readonly baseEjectionTime?: string
    readonly maxEjectionPercent?: number
  }
  readonly tls?: {
    readonly mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL'
    readonly sni?: string
    readonly subjectAltNames?: readonly string[]
  }
}

export interface Subset {
  readonly name: string
  readonly labels?: Readonly<Record<string, string>>
  readonly trafficPolicy?: TrafficPolicy
}

export interface DestinationRule {
  readonly kind: 'DestinationRule'
  readonly metadata: ObjectMeta
  readonly spec: {
    readonly host: string
    readonly trafficPolicy?: TrafficPolicy
    readonly subsets?: readonly Subset[]
    readonly exportTo?: readonly string[]
  }
}

export interface ServiceEntryPort {
  readonly number: number
  readonly name: string
  /** As written (`http`, `HTTP`, `tcp`...); absent means auto-detect. */
  readonly protocol?: string
  readonly targetPort?: number
}

export interface WorkloadEntrySpec {
  readonly address: string
  /** Port name -> port, overriding the service port for this endpoint. */
  readonly ports?: Readonly<Record<string, number>>
  readonly labels?: Readonly<Record<string, string>>
  readonly network?: string
  readonly locality?: string
  readonly weight?: number
  readonly serviceAccount?: string
}

export interface ServiceEntry {
  readonly kind: 'ServiceEntry'
  readonly metadata: ObjectMeta
  readonly spec: {
    readonly hosts: readonly string[]
    readonly addresses?: readonly string[]
    readonly ports?: readonly ServiceEntryPort[]
    readonly location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL'
    readonly resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN'
    readonly endpoints?: readonly WorkloadEntrySpec[]
    readonly exportTo?: readonly string[]
    readonly subjectAltNames?: readonly string[]
  }
}

export interface GatewayServer {
  readonly port: { readonly number: number; readonly name: string; readonly protocol: string }
  readonly hosts: readonly string[]
  readonly tls?: {
    readonly mode: 'PASSTHROUGH' | 'SIMPLE' | 'MUTUAL' | 'AUTO_PASSTHROUGH' | 'ISTIO_MUTUAL'
  }
  readonly name?: string
}

export interface Gateway {
  readonly kind: 'Gateway'
  readonly metadata: ObjectMeta
  readonly spec: {
    readonly selector: Readonly<Record<string, string>>
    readonly servers: readonly GatewayServer[]
  }
}

/**
 * What a cluster's API server holds that meshsim reads: Istio's networking resources, remote
 * secrets, the istio ConfigMap, and the workload kinds (Namespace, Service, ServiceAccount,
 * Deployment).
 */
export type IstioResource =
  | VirtualService
  | DestinationRule
  | ServiceEntry
  | Gateway
  | Secret
  | ConfigMap
  | KubeNamespace
  | KubeService
  | KubeServiceAccount
  | Deployment

/** `kind/namespace/name`: how stores key a resource. */
export function resourceKey(r: Pick<IstioResource, 'kind' | 'metadata'>): string {
  return `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`
}

/**
 * A host as a resource writes it, made fully qualified the way Istio does
 * (ResolveShortnameToFQDN): only a name without dots is a Service in the resource's namespace
 * (`helloworld` -> `helloworld.sample.svc.cluster.local`); `helloworld.sample`, FQDNs, IPs and
 * wildcards stay as written, so `helloworld.sample` names no Kubernetes Service.
 */
export function qualifyHost(host: string, ns: string): string {
  const h = host.toLowerCase()
  if (h === '*' || h.includes('.') || h.includes(':')) return h
  return `${h}.${ns}.svc.cluster.local`
}

/** Whether a (possibly wildcard) resource host covers a concrete host name. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1))
  return pattern === host
}
