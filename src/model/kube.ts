// The two Kubernetes kinds of istio-system that shape a mesh, as plain data: Secrets (those
// istioctl create-remote-secret makes give istiod access to another cluster) and the `istio`
// ConfigMap (meshConfig and meshNetworks, which istiod reloads when they change).

import type { ObjectMeta } from './istio.ts'
import type { MeshConfig, MeshNetwork } from './mesh.ts'

/** One cluster a remote secret opens to istiod (a kubeconfig under the cluster's name). */
export interface RemoteClusterAccess {
  /** The data key: the remote's cluster name, which must equal its `clusterName`. */
  readonly cluster: string
  /** The kubeconfig's API server; istiod reaches the cluster there. */
  readonly server?: string
  /** Why istiod cannot use this kubeconfig (it still starts, and reports it). */
  readonly problem?: string
}

export interface Secret {
  readonly kind: 'Secret'
  readonly metadata: ObjectMeta
  /** Clusters the Secret opens; empty unless labelled `istio/multiCluster: "true"`. */
  readonly remoteClusters: readonly RemoteClusterAccess[]
}

export interface ConfigMap {
  readonly kind: 'ConfigMap'
  readonly metadata: ObjectMeta
  readonly data: Readonly<Record<string, string>>
  /** Parsed `data.mesh` of istio-system/istio. */
  readonly meshConfig?: MeshConfig
  /** Parsed `data.meshNetworks` (its `networks`) of istio-system/istio. */
  readonly meshNetworks?: Readonly<Record<string, MeshNetwork>>
}

/** The label istiod watches Secrets by, and the annotation naming the remote cluster. */
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster'
export const CLUSTER_ANNOTATION = 'networking.istio.io/cluster'
