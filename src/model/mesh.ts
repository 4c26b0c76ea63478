// The topology as plain, inert data: what src/config hands to everything else. Nothing here
// opens a socket or knows how it will be built (Mininet's Topo: names plus options).

import type { ClusterId, MeshId, Namespace, NetworkId, ServiceAccount, TrustDomain } from './ids.ts'
import type { IstioResource } from './istio.ts'

/** Istio's protocol names, as chosen from a port's name or appProtocol (istio-semantics §7.2). */
export type Protocol =
  | 'HTTP'
  | 'HTTP2'
  | 'HTTPS'
  | 'GRPC'
  | 'GRPC-Web'
  | 'HTTP_PROXY'
  | 'TCP'
  | 'TLS'
  | 'UDP'
  | 'Mongo'
  | 'Redis'
  | 'MySQL'
  | 'UnsupportedProtocol'

/** The built-in sample apps a workload can run. */
export type SampleApp = 'helloworld' | 'sleep' | 'httpbin' | 'tcp-echo'

/** Workload key type: Istio's default RSA 2048, or ECDSA P-256 (`ECC_SIGNATURE_ALGORITHM=ECDSA`). */
export type KeyAlgorithm = 'ECDSA' | 'RSA'

export interface ServicePort {
  /** Port name; its prefix selects the protocol when appProtocol is absent. */
  readonly name: string
  /** The Service port callers dial. */
  readonly port: number
  /** The container port the app listens on. */
  readonly targetPort: number
  readonly appProtocol?: string
  /** The protocol Istio would select for this port. */
  readonly protocol: Protocol
}

export interface Workload {
  readonly namespace: Namespace
  /** The `app` label, also the Service name. */
  readonly app: string
  /** The `version` label, if any. */
  readonly version?: string
  readonly replicas: number
  readonly serviceAccount: ServiceAccount
  readonly sample: SampleApp
  /** The Service's ClusterIP when the topology fixes it; otherwise the runtime assigns one. */
  readonly clusterIP?: string
  readonly ports: readonly ServicePort[]
}

export interface Locality {
  readonly region: string
  readonly zone?: string
  readonly subzone?: string
}

export type ControlPlane =
  | { readonly mode: 'primary' }
  | {
      readonly mode: 'remote'
      /** The primary cluster whose control plane configures this one. */
      readonly primary: ClusterId
      /** Where this cluster's proxies reach istiod, as Istio's `global.remotePilotAddress`. */
      readonly remotePilotAddress?: string
    }

export interface EastWestGateway {
  /** The gateway's address as other networks see it (its LoadBalancer IP). */
  readonly address: string
  /** The AUTO_PASSTHROUGH mTLS port, 15443 unless `networking.istio.io/gatewayPort` says otherwise. */
  readonly port: number
  /**
   * `istio-eastwestgateway` (gen-eastwest-gateway.sh with expose-services.yaml applied), or the
   * older guides' `istio-ingressgateway`, which serves only what Gateway resources configure.
   */
  readonly deployment: 'istio-eastwestgateway' | 'istio-ingressgateway'
}

/**
 * The replicated-control-plane install of Istio 1.1–1.8
 * (`values-istio-multicluster-gateways.yaml`, istio-semantics §5.1): an ingress gateway serving
 * `*.global` on 15443 (AUTO_PASSTHROUGH plus the `.global` -> `.svc.cluster.local` rewrite), an
 * egress gateway seeing only network `external`, the `*.global` ISTIO_MUTUAL DestinationRule,
 * istiocoredns for `.global` names, and pods searching `global` and `<ns>.global`.
 */
export interface MulticlusterGateways {
  /** istio-ingressgateway: its LoadBalancer address (the guide's `$CLUSTER2_GW_ADDR`) and mTLS port. */
  readonly ingressGateway: { readonly address: string; readonly port: number }
  /** istio-egressgateway: its ClusterIP (`$CLUSTER1_EGW_ADDR`) when the topology fixes it. */
  readonly egressGateway: { readonly clusterIP?: string }
}

export interface Cluster {
  readonly name: ClusterId
  readonly network: NetworkId
  readonly controlPlane: ControlPlane
  readonly podCIDR: string
  readonly serviceCIDR: string
  readonly locality?: Locality
  readonly eastWestGateway?: EastWestGateway
  /** The `.global` install of the replicated-control-plane guide, when the cluster has it. */
  readonly multiclusterGateways?: MulticlusterGateways
  /** Clusters this cluster's control plane holds remote secrets for (and so discovers). */
  readonly remoteSecrets: readonly ClusterId[]
  /** Absolute path of an Istio plug-in CA folder (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem). */
  readonly cacerts?: string
  readonly workloads: readonly Workload[]
  /**
   * Istio configuration applied in this cluster when the mesh starts, as `kubectl apply
   * --context <cluster>` would (VirtualService, DestinationRule, ServiceEntry, Gateway).
   * A primary reads only its own cluster's; a remote's is read by nobody, as in Istio.
   */
  readonly resources: readonly IstioResource[]
}

export interface Network {
  readonly name: NetworkId
}

/** Istio's meshNetworks (api mesh/v1alpha1/network.proto), kept for the older topologies. */
export interface MeshNetwork {
  readonly endpoints: readonly (
    | { readonly fromRegistry: ClusterId }
    | { readonly fromCidr: string }
  )[]
  readonly gateways: readonly (
    | { readonly address: string; readonly port: number; readonly locality?: string }
    | { readonly registryServiceName: string; readonly port: number; readonly locality?: string }
  )[]
}

export type RootCa =
  | { readonly generate: true; readonly keyAlgorithm: KeyAlgorithm }
  /** Absolute paths; keyFile may be absent when every cluster brings its own cacerts. */
  | { readonly generate: false; readonly certFile: string; readonly keyFile?: string }

export interface CaSettings {
  readonly root: RootCa
  /** Key type of workload certificates. */
  readonly workloadKeyAlgorithm: KeyAlgorithm
  /** Lifetime of workload certificates in milliseconds (Istio default 24 h). */
  readonly workloadCertTTL: number
}

export interface MeshSpec {
  /** `metadata.name` of the Mesh document. */
  readonly name: string
  /** The file it was loaded from, for messages. */
  readonly source: string
  readonly meshID: MeshId
  readonly trustDomain: TrustDomain
  readonly ca: CaSettings
  readonly networks: readonly Network[]
  readonly clusters: readonly Cluster[]
  readonly meshNetworks?: Readonly<Record<string, MeshNetwork>>
  readonly meshConfig?: MeshConfig
  /** The Istio release whose behaviour is emulated where it changed (istio-semantics §0.1). */
  readonly istioVersion: IstioVersion
}

/** An Istio minor release, e.g. 1.4 is `{ major: 1, minor: 4 }`. */
export interface IstioVersion {
  readonly major: 1
  readonly minor: number
}

/** The parts of Istio's meshConfig meshsim honours. */
export interface MeshConfig {
  /** `serviceSettings[].settings.clusterLocal` for host patterns (istio-semantics §7.3). */
  readonly serviceSettings?: readonly {
    readonly hosts: readonly string[]
    readonly settings: { readonly clusterLocal?: boolean }
  }[]
}
