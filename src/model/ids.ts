// Branded identifiers: each kind of name gets its own type so that a ClusterId can never be
// passed where a NetworkId is expected. Only src/config mints them from raw strings.

declare const brand: unique symbol
type Brand<T, B extends string> = T & { readonly [brand]: B }

/** A cluster's name, as Istio's `global.multiCluster.clusterName`. */
export type ClusterId = Brand<string, 'ClusterId'>
/** A network's name, as Istio's `global.network` and the `topology.istio.io/network` label. */
export type NetworkId = Brand<string, 'NetworkId'>
/** The mesh's name, as Istio's `global.meshID`. */
export type MeshId = Brand<string, 'MeshId'>
/** A SPIFFE trust domain, as meshConfig `trustDomain` (default `cluster.local`). */
export type TrustDomain = Brand<string, 'TrustDomain'>
/** A Kubernetes namespace name. */
export type Namespace = Brand<string, 'Namespace'>
/** A Kubernetes service account name. */
export type ServiceAccount = Brand<string, 'ServiceAccount'>
/** A service's fully qualified host name, e.g. `helloworld.sample.svc.cluster.local`. */
export type ServiceHost = Brand<string, 'ServiceHost'>
/** A workload identity, `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`. */
export type SpiffeId = Brand<string, 'SpiffeId'>

export const clusterId = (s: string): ClusterId => s as ClusterId
export const networkId = (s: string): NetworkId => s as NetworkId
export const meshId = (s: string): MeshId => s as MeshId
export const trustDomain = (s: string): TrustDomain => s as TrustDomain
export const namespace = (s: string): Namespace => s as Namespace
export const serviceAccount = (s: string): ServiceAccount => s as ServiceAccount
export const serviceHost = (s: string): ServiceHost => s as ServiceHost

/** Kubernetes' DNS-1123 label: the rule for cluster, network, namespace and app names. */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS_1123_LABEL.test(s)
}
