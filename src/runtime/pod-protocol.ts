// The messages between the mesh (main thread) and its pod threads: meshsim's stand-in for the
// process boundary between istiod and each pod's Envoy. Config goes down as full pushes that
// proxies acknowledge (ADS), access records come up in batches (an access log service), and
// everything else is a request with a numbered reply. All of it is plain data a port can carry.

import type { SampleName } from '../apps/index.ts'
import type { AccessRecord, DiscoveryStatus } from '../proxy/index.ts'
import type {
  DiscoveryTarget,
  NameTable,
  ProxyConfig,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import type { FabricMemory } from './fabric.ts'

/** What a pod thread is handed when it starts. */
export interface PodThreadInit {
  readonly fabric: FabricMemory
}

/** The pod's app container: one of the sample apps. */
export interface AppInit {
  readonly sample: SampleName
  readonly version?: string
  /** The pod name (the app's HOSTNAME). */
  readonly instance: string
  /** Container ports the app serves (all on its one listener). */
  readonly targetPorts: readonly number[]
}

export interface SidecarInit {
  readonly kind: 'sidecar'
  readonly node: ProxyNode
  readonly secret: WorkloadSecret
  /** The app in the pod, started on the same thread before its sidecar. */
  readonly app?: AppInit
  /** The pod's DNS view: its cluster's Services (and `.global` names, with istiocoredns). */
  readonly names: NameTable
  /** The pod's resolv.conf search path, when not Kubernetes' default for its namespace. */
  readonly search?: readonly string[]
  readonly seed: number
  readonly connectTimeoutMs: number
  readonly handshakeTimeoutMs?: number
  /** istiod over the network (a remote cluster's proxies); absent: pushes come by message. */
  readonly discovery?: DiscoveryTarget
}

export interface GatewayInit {
  readonly kind: 'gateway'
  readonly node: ProxyNode
  readonly publicAddresses: readonly string[]
  readonly port: number
  readonly seed: number
  /** istiod over the network, with the gateway's own certificate to authenticate with. */
  readonly discovery?: DiscoveryTarget
  readonly secret?: WorkloadSecret
  readonly connectTimeoutMs?: number
}

export type PodInit = SidecarInit | GatewayInit

/** Requests the mesh makes of a pod thread; each gets one Reply with the same `req`. */
export type Request =
  | { readonly op: 'start'; readonly req: number; readonly id: number; readonly init: PodInit }
  | { readonly op: 'stats'; readonly req: number; readonly id: number }
  /** Hosts the proxy's outlier detection has ejected, as `cluster|address:port`. */
  | { readonly op: 'ejected'; readonly req: number; readonly id: number }
  | { readonly op: 'close'; readonly req: number; readonly id: number }
  /** Send the records written so far (the reply comes after them). */
  | { readonly op: 'flush'; readonly req: number }

export interface Started {
  /** The thread the pod runs on (worker_threads' threadId; 0 is the main thread). */
  readonly threadId: number
  /** The sidecar's capture port (http_proxy / ALL_PROXY). */
  readonly capturePort?: number
  /** The loopback port the pod's app listens on. */
  readonly appPort?: number
}

export type ToThread =
  | Request
  /** A full push for pod `id` (its control plane's latest). */
  | { readonly op: 'config'; readonly id: number; readonly config: ProxyConfig }
  /** Pod `id`'s proxy should find istiod at another address (a re-pointed remotePilotAddress). */
  | { readonly op: 'discovery-target'; readonly id: number; readonly target: DiscoveryTarget }
  /** A new DNS view for sidecar pod `id` (the `.global` names changed). */
  | { readonly op: 'names'; readonly id: number; readonly names: NameTable }

export type Reply =
  | { readonly op: 'reply'; readonly req: number; readonly value: unknown }
  | { readonly op: 'reply'; readonly req: number; readonly error: string }

export type FromThread =
  | Reply
  /** The proxy of pod `id` applied this config version (an ADS ACK). */
  | { readonly op: 'ack'; readonly id: number; readonly version: number }
  | { readonly op: 'records'; readonly records: readonly AccessRecord[] }
  /** A proxy fed over the network applied this config (the mesh shows what proxies run). */
  | { readonly op: 'applied'; readonly id: number; readonly config: ProxyConfig }
  /** The state of a proxy's discovery stream to an istiod over the network. */
  | { readonly op: 'discovery'; readonly id: number; readonly status: DiscoveryStatus }
