// ClusterLoadAssignment: the endpoints EDS hands a proxy for one cluster, after split horizon.

import type { ClusterId, NetworkId } from '../model/index.ts'

export interface LbEndpoint {
  /** Virtual address the proxy dials: a pod IP, or a remote network's gateway address. */
  readonly address: string
  readonly port: number
  /** Load-balancing weight (remote networks: the number of endpoints behind the gateway). */
  readonly weight: number
  readonly network: NetworkId
  readonly cluster: ClusterId
  /** `istio` when the endpoint speaks Istio mTLS (has a sidecar, or is a gateway). */
  readonly tlsMode: 'istio' | 'disabled'
  /**
   * A workload endpoint, a gateway standing in for a remote network's endpoints, or a
   * ServiceEntry endpoint dialed as written (e.g. another cluster's ingress gateway).
   */
  readonly kind: 'pod' | 'gateway' | 'service-entry'
  /** The pod's name, for pod endpoints. */
  readonly pod?: string
  readonly labels: Readonly<Record<string, string>>
  /** `region/zone/subzone`, empty when unknown. */
  readonly locality: string
  /**
   * Envoy's priority (0 is preferred): with locality failover on (a DestinationRule with
   * outlierDetection), 0 is the proxy's own locality, higher ones farther away.
   */
  readonly priority?: number
}

export interface ClusterLoadAssignment {
  readonly clusterName: string
  readonly endpoints: readonly LbEndpoint[]
}
