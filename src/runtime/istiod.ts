// istiod as a pod of its cluster: the control plane's discovery server bound at the pod's IP on
// 15012. A restart (a rollout of the Deployment) brings up a new pod with a new IP, as Kubernetes
// does: registries learn the new endpoint, and proxies still dialing the old address lose istiod
// until they are pointed at the new one (Istio issue 4822).

import type { DiscoveryServer, Registry } from '../control-plane/index.ts'
import type { Fabric } from './fabric.ts'
import { type Pod, replacementPod } from './inventory.ts'

export interface IstiodOptions {
  readonly pod: Pod
  readonly podCIDR: string
  readonly fabric: Fabric
  /** Binds a discovery server at a pod's IP. */
  readonly serve: (pod: Pod) => Promise<DiscoveryServer>
  /** Addresses in use in the cluster, so the new pod gets a free one. */
  readonly taken: () => Iterable<string>
  /** Every control plane's registry: those that discover this cluster hold istiod's endpoint. */
  readonly registries: () => readonly Registry[]
}

export class Istiod {
  readonly #opts: IstiodOptions
  #pod: Pod
  #server: DiscoveryServer | undefined
  #generation = 0

  constructor(opts: IstiodOptions) {
    this.#opts = opts
    this.#pod = opts.pod
  }

  get pod(): Pod {
    return this.#pod
  }

  get server(): DiscoveryServer | undefined {
    return this.#server
  }

  async start(): Promise<void> {
    this.#server = await this.#opts.serve(this.#pod)
  }

  /** Replaces the pod: the old one's streams end and its address stops answering. */
  async restart(): Promise<Pod> {
    const old = this.#pod
    const next = replacementPod(old, this.#opts.podCIDR, this.#opts.taken(), ++this.#generation)
    await this.#server?.close()
    this.#server = undefined
    this.#opts.fabric.removeHost(old.ip)
    this.#opts.fabric.addHost(next.ip, next.network)
    this.#pod = next
    for (const registry of this.#opts.registries()) {
      const ep = registry.endpoints().find((e) => e.cluster === old.cluster && e.pod === old.name)
      if (ep === undefined) continue
      registry.removeEndpoint(ep.cluster, ep.host, ep.pod)
      registry.upsertEndpoint({ ...ep, pod: next.name, ip: next.ip })
    }
    await this.start()
    return next
  }

  async close(): Promise<void> {
    await this.#server?.close()
    this.#server = undefined
  }
}
