// Envoy's load balancers over one cluster's endpoints. LEAST_REQUEST (Istio's default since 1.14)
// picks the less busy of two random hosts when weights are equal, and weighs hosts by
// weight / (active + 1) when they are not; ROUND_ROBIN rotates (weighted); RANDOM is uniform.

import type { LbEndpoint, LbPolicy } from '../xds/index.ts'

export type Random = () => number

/** A small seeded PRNG (mulberry32), so tests and workshops can replay a run. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const endpointKey = (e: { address: string; port: number }): string =>
  `${e.address}:${e.port}`

export interface LoadBalancer {
  /** Chooses a host, skipping `exclude` (Envoy's previous_hosts retry predicate) when it can. */
  pick(exclude?: ReadonlySet<string>): LbEndpoint | undefined
  /** Marks a request active on a host; call the returned function when it ends. */
  begin(host: LbEndpoint): () => void
}

export function createLoadBalancer(
  policy: LbPolicy,
  endpoints: readonly LbEndpoint[],
  random: Random,
): LoadBalancer {
  const active = new Map<string, number>()
  let rr = 0
  // Endpoints are fixed for the balancer's life: keys and the serving set are computed once.
  const keys = new Map(endpoints.map((e) => [e, endpointKey(e)]))
  const keyOf = (e: LbEndpoint) => keys.get(e) ?? endpointKey(e)
  const serving = endpoints.filter((e) => e.weight > 0)
  const activeOf = (e: LbEndpoint) => active.get(keyOf(e)) ?? 0
  const weighted = (hosts: readonly LbEndpoint[], weightOf: (e: LbEndpoint) => number) => {
    const total = hosts.reduce((s, e) => s + weightOf(e), 0)
    let r = random() * total
    for (const e of hosts) {
      r -= weightOf(e)
      if (r < 0) return e
    }
    return hosts[hosts.length - 1]
  }
  return {
    pick(exclude) {
      const all = serving
      const fresh = exclude && exclude.size > 0 ? all.filter((e) => !exclude.has(keyOf(e))) : all
      const hosts = fresh.length > 0 ? fresh : all
      if (hosts.length <= 1) return hosts[0]
      const equal = hosts.every((e) => e.weight === hosts[0]?.weight)
      switch (policy) {
        case 'RANDOM':
          return weighted(hosts, (e) => e.weight)
        case 'ROUND_ROBIN': {
          const slots = hosts.flatMap((e) => Array<LbEndpoint>(e.weight).fill(e))
          return slots[rr++ % slots.length]
        }
        case 'LEAST_REQUEST': {
          if (!equal) return weighted(hosts, (e) => e.weight / (activeOf(e) + 1))
          const a = hosts[Math.floor(random() * hosts.length)]
          const b = hosts[Math.floor(random() * hosts.length)]
          if (a === undefined || b === undefined) return a ?? b
          return activeOf(b) < activeOf(a) ? b : a
        }
      }
    },
    begin(host) {
      const key = keyOf(host)
      active.set(key, (active.get(key) ?? 0) + 1)
      let done = false
      return () => {
        if (done) return
        done = true
        active.set(key, (active.get(key) ?? 1) - 1)
      }
    },
  }
}
