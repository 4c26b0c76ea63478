// The kinds a resource may have: the four Istio kinds meshsim reads, and the Kubernetes and Istio
// kinds it knows but does not read yet, by API group (so that the Gateway API's Gateway is told
// apart from Istio's). Supporting another kind starts here.

import { ISTIO_KINDS } from '../../model/index.ts'
import { ISTIO_GROUP } from './schema.ts'

export const SUPPORTED_KINDS = ISTIO_KINDS

/** The API group of supported kinds outside networking.istio.io ('' is the core group, v1). */
const HOME: Readonly<Record<string, string>> = {
  Secret: '',
  ConfigMap: '',
  Namespace: '',
  Service: '',
  ServiceAccount: '',
  Deployment: 'apps',
}
export type SupportedKind = (typeof SUPPORTED_KINDS)[number]

/** API group -> kinds meshsim does not support yet. '' is the core group (apiVersion: v1). */
const PLANNED: Readonly<Record<string, readonly string[]>> = {
  '': ['Namespace', 'Service', 'ServiceAccount', 'Pod', 'Endpoints', 'PersistentVolumeClaim'],
  apps: ['StatefulSet', 'DaemonSet', 'ReplicaSet'],
  batch: ['Job', 'CronJob'],
  autoscaling: ['HorizontalPodAutoscaler'],
  policy: ['PodDisruptionBudget'],
  'discovery.k8s.io': ['EndpointSlice'],
  'networking.k8s.io': ['Ingress', 'NetworkPolicy'],
  'rbac.authorization.k8s.io': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'apiextensions.k8s.io': ['CustomResourceDefinition'],
  'admissionregistration.k8s.io': [
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration',
  ],
  [ISTIO_GROUP]: ['Sidecar', 'EnvoyFilter', 'WorkloadEntry', 'WorkloadGroup', 'ProxyConfig'],
  'security.istio.io': ['PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication'],
  'telemetry.istio.io': ['Telemetry'],
  'extensions.istio.io': ['WasmPlugin'],
  'install.istio.io': ['IstioOperator'],
  'gateway.networking.k8s.io': [
    'Gateway',
    'GatewayClass',
    'HTTPRoute',
    'GRPCRoute',
    'TCPRoute',
    'TLSRoute',
    'UDPRoute',
    'ReferenceGrant',
  ],
}

export type KindLookup =
  | { readonly support: 'supported'; readonly kind: SupportedKind }
  | { readonly support: 'planned'; readonly group: string }
  | { readonly support: 'unknown'; readonly known: readonly string[] }

export function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined
  const slash = apiVersion.lastIndexOf('/')
  return slash < 0 ? '' : apiVersion.slice(0, slash)
}

export function lookupKind(kind: string, apiVersion: unknown): KindLookup {
  const group = groupOf(apiVersion)
  const supported = SUPPORTED_KINDS.find((k) => k === kind)
  const plannedIn = (g: string) => PLANNED[g]?.includes(kind) ?? false
  // Only an apiVersion naming another group that has this kind makes it that group's kind.
  const home = supported ? (HOME[supported] ?? ISTIO_GROUP) : ISTIO_GROUP
  if (supported && !(group !== undefined && group !== home && plannedIn(group)))
    return { support: 'supported', kind: supported }
  const owner =
    group !== undefined && plannedIn(group) ? group : Object.keys(PLANNED).find((g) => plannedIn(g))
  if (owner !== undefined) {
    return { support: 'planned', group: owner }
  }
  return { support: 'unknown', known: [...SUPPORTED_KINDS, ...Object.values(PLANNED).flat()] }
}
