// The Kubernetes kinds meshsim reads, as plain data: Secrets (those istioctl
// create-remote-secret makes give istiod access to another cluster), the `istio` ConfigMap
// (meshConfig and meshNetworks, which istiod reloads when they change), and the workload kinds
// the guides apply (Namespace, Service, ServiceAccount, Deployment of Istio's sample images).

import type { ObjectMeta } from './istio.ts'
import type { MeshConfig, MeshNetwork, SampleApp, ServicePort } from './mesh.ts'

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

/** A Namespace; `istio-injection=enabled` (or an `istio.io/rev` label) gives its pods sidecars. */
export interface KubeNamespace {
  readonly kind: 'Namespace'
  readonly metadata: ObjectMeta
  readonly injection: boolean
}

/** A Service: the pods its selector matches answer on its ports at its ClusterIP. */
export interface KubeService {
  readonly kind: 'Service'
  readonly metadata: ObjectMeta
  readonly selector: Readonly<Record<string, string>>
  readonly ports: readonly ServicePort[]
  /** A fixed ClusterIP; allocated from the cluster's serviceCIDR when absent. */
  readonly clusterIP?: string
}

export interface KubeServiceAccount {
  readonly kind: 'ServiceAccount'
  readonly metadata: ObjectMeta
}

/** A Deployment of one of Istio's sample images, which meshsim runs as its built-in app. */
export interface Deployment {
  readonly kind: 'Deployment'
  readonly metadata: ObjectMeta
  readonly replicas: number
  /** The pod template's labels (app, version...). */
  readonly podLabels: Readonly<Record<string, string>>
  readonly serviceAccount: string
  /** The built-in app the image stands for. */
  readonly sample: SampleApp
  readonly image: string
  readonly containerPorts: readonly number[]
  /** The pod's `sidecar.istio.io/inject` annotation, when set. */
  readonly inject?: boolean
  /** The pod template as written (JSON): any change to it rolls the pods out, as Kubernetes does. */
  readonly template: string
}
