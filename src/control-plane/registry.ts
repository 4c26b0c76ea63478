// The service registry one control plane holds: Services and endpoints of its own cluster and of
// the clusters it has remote secrets for, plus the network gateways those clusters expose. Mutable;
// every change notifies the control plane, which debounces it into a new snapshot.

import type {
  ClusterId,
  Namespace,
  NetworkId,
  ServiceAccount,
  ServiceHost,
  ServicePort,
} from '../model/index.ts'

/** A Kubernetes Service as seen in one cluster. */
export interface ServiceRecord {
  readonly cluster: ClusterId
  readonly namespace: Namespace
  readonly name: string
  readonly host: ServiceHost
  readonly clusterIP: string
  readonly ports: readonly ServicePort[]
}

/** One ready pod behind a Service (an EndpointSlice entry plus what Istio derives from the pod). */
export interface EndpointRecord {
  readonly host: ServiceHost
  readonly cluster: ClusterId
  readonly network: NetworkId
  readonly pod: string
  readonly namespace: Namespace
  readonly ip: string
  readonly serviceAccount: ServiceAccount
  readonly labels: Readonly<Record<string, string>>
  readonly locality: string
  /** `istio` when the pod has a sidecar. */
  readonly tlsMode: 'istio' | 'disabled'
}

/** A network's gateway (from the `topology.istio.io/network` Service or meshNetworks). */
export interface NetworkGateway {
  readonly network: NetworkId
  readonly cluster: ClusterId
  readonly address: string
  readonly port: number
}

export class Registry {
  readonly #services = new Map<string, ServiceRecord>()
  readonly #endpoints = new Map<string, EndpointRecord>()
  readonly #gateways = new Map<string, NetworkGateway>()
  readonly #listeners = new Set<() => void>()

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #changed(): void {
    for (const l of this.#listeners) l()
  }

  upsertService(s: ServiceRecord): void {
    this.#services.set(`${s.cluster}/${s.host}`, s)
    this.#changed()
  }

  upsertEndpoint(e: EndpointRecord): void {
    this.#endpoints.set(`${e.cluster}/${e.host}/${e.pod}`, e)
    this.#changed()
  }

  /** Removes a cluster's Service (deleted there); false when there was none. */
  removeService(cluster: ClusterId, host: ServiceHost): boolean {
    const gone = this.#services.delete(`${cluster}/${host}`)
    if (gone) this.#changed()
    return gone
  }

  /** Removes a pod's endpoint of a service (a pod that went away); false when there was none. */
  removeEndpoint(cluster: ClusterId, host: ServiceHost, pod: string): boolean {
    const gone = this.#endpoints.delete(`${cluster}/${host}/${pod}`)
    if (gone) this.#changed()
    return gone
  }

  /** Forgets everything learnt from a cluster (its remote secret was deleted). */
  removeCluster(cluster: ClusterId): void {
    for (const map of [this.#services, this.#endpoints, this.#gateways] as Map<
      string,
      { cluster: ClusterId }
    >[]) {
      for (const [k, v] of map) if (v.cluster === cluster) map.delete(k)
    }
    this.#changed()
  }

  upsertGateway(g: NetworkGateway): void {
    this.#gateways.set(`${g.network}/${g.cluster}/${g.address}:${g.port}`, g)
    this.#changed()
  }

  services(): readonly ServiceRecord[] {
    return [...this.#services.values()]
  }
  endpoints(): readonly EndpointRecord[] {
    return [...this.#endpoints.values()]
  }
  gateways(): readonly NetworkGateway[] {
    return [...this.#gateways.values()]
  }
}
