// Upstream clusters: what a proxy may connect to and how (Envoy's Cluster).

import type { Protocol, ServiceHost, SpiffeId } from '../model/index.ts'

export type LbPolicy = 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM'

/** Istio mTLS origination for a cluster (ISTIO_MUTUAL / auto-mTLS). */
export interface UpstreamTls {
  /** `outbound_.<port>_.<subset>_.<host>` unless a DestinationRule says otherwise. */
  readonly sni: string
  /** Server identities accepted (exact match); empty means any identity under the root. */
  readonly subjectAltNames: readonly SpiffeId[]
}

export interface Cluster {
  /** `outbound|5000||helloworld.sample.svc.cluster.local`, or the SNI form at gateways. */
  readonly name: string
  readonly type: 'EDS'
  readonly host: ServiceHost
  readonly port: number
  readonly subset: string
  /** Protocol of the service port: HTTP-family clusters are proxied per request. */
  readonly protocol: Protocol
  /** Absent at the gateway: AUTO_PASSTHROUGH forwards bytes as they are. */
  readonly tls?: UpstreamTls
  readonly lbPolicy: LbPolicy
  readonly connectTimeoutMs: number
  /** `name.namespace` of the DestinationRule that shaped this cluster, as istioctl shows it. */
  readonly destinationRule?: string
  /** Passive health checking (a DestinationRule's outlierDetection); absent: hosts never ejected. */
  readonly outlierDetection?: OutlierDetection
}

/** Envoy's consecutive-error outlier detection as Istio configures it. */
export interface OutlierDetection {
  /** 5xx responses and connect failures in a row that eject a host (0: off). */
  readonly consecutive5xx: number
  /** 502, 503 and 504 responses and connect failures in a row that eject a host (0: off). */
  readonly consecutiveGatewayErrors: number
  /** An ejection lasts this long times the host's number of ejections so far. */
  readonly baseEjectionMs: number
  /** At most this share of hosts is ejected at once (one host always may be). */
  readonly maxEjectionPercent: number
}
