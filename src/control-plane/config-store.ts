// The Istio configuration of one cluster (what `kubectl apply --context <cluster>` stores in its
// API server): VirtualServices, DestinationRules, ServiceEntries and Gateways by kind, namespace
// and name. A primary's control plane reads only its own cluster's store, as istiod does.

import type { IstioKind, IstioResource, Namespace } from '../model/index.ts'
import { resourceKey } from '../model/index.ts'

/** What an apply did, in kubectl's words. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged'

export interface ResourceRef {
  readonly kind: IstioKind
  readonly namespace: Namespace
  readonly name: string
}

const same = (a: IstioResource, b: IstioResource) => JSON.stringify(a) === JSON.stringify(b)

export class ConfigStore {
  /** Insertion order is creation order: Istio breaks ties between resources by creation time. */
  readonly #resources = new Map<string, IstioResource>()
  readonly #listeners = new Set<() => void>()

  constructor(initial: readonly IstioResource[] = []) {
    for (const r of initial) this.#resources.set(resourceKey(r), r)
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  apply(resource: IstioResource): ApplyOutcome {
    const key = resourceKey(resource)
    const known = this.#resources.get(key)
    if (known && same(known, resource)) return 'unchanged'
    // An update keeps the resource's place (its creation time).
    this.#resources.set(key, resource)
    this.#changed()
    return known ? 'configured' : 'created'
  }

  /** Removes a resource; false when there was none. */
  delete(ref: ResourceRef): boolean {
    const gone = this.#resources.delete(resourceKey({ kind: ref.kind, metadata: ref }))
    if (gone) this.#changed()
    return gone
  }

  get(ref: ResourceRef): IstioResource | undefined {
    return this.#resources.get(resourceKey({ kind: ref.kind, metadata: ref }))
  }

  /** Every resource, oldest first. */
  list(): readonly IstioResource[] {
    return [...this.#resources.values()]
  }

  #changed(): void {
    for (const l of this.#listeners) l()
  }
}
