// Envoy's load balancers over one cluster's endpoints. LEAST_REQUEST (Istio's default since 1.14)
// picks the less busy of two random hosts when weights are equal, and weighs hosts by
// weight / (active + 1) when they are not; ROUND_ROBIN rotates (weighted); RANDOM is uniform.

import type { LbEndpoint, LbPolicy, OutlierDetection } from '../xds/index.ts'

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
  /** How a request to a host ended (its status, or a connect failure), for outlier detection. */
  report(host: LbEndpoint, outcome: number | 'connect-failure'): void
}

/** Envoy's overprovisioning factor: a priority at 72% healthy hosts still takes all its load. */
const OVERPROVISIONING = 1.4

/** Per-host outlier state. */
export interface HostHealth {
  consecutive5xx: number
  consecutiveGateway: number
  ejections: number
  ejectedUntil: number
}

export function createLoadBalancer(
  policy: LbPolicy,
  endpoints: readonly LbEndpoint[],
  random: Random,
  outlier?: OutlierDetection,
  now: () => number = Date.now,
  /** Host health of the same cluster under the previous config: Envoy keeps it across updates. */
  health: Map<string, HostHealth> = new Map(),
): LoadBalancer {
  const active = new Map<string, number>()
  let rr = 0
  // Endpoints are fixed for the balancer's life: keys and the serving set are computed once.
  const keys = new Map(endpoints.map((e) => [e, endpointKey(e)]))
  const keyOf = (e: LbEndpoint) => keys.get(e) ?? endpointKey(e)
  const serving = endpoints.filter((e) => e.weight > 0)
  const activeOf = (e: LbEndpoint) => active.get(keyOf(e)) ?? 0
  const levels = [...new Set(serving.map((e) => e.priority ?? 0))].sort((a, b) => a - b)
  const byLevel = levels.map((p) => serving.filter((e) => (e.priority ?? 0) === p))
  // Hosts no longer in the cluster take their state with them.
  for (const k of health.keys()) if (![...keys.values()].includes(k)) health.delete(k)
  let ejected = [...health.values()].filter((h) => h.ejectedUntil > now()).length
  const healthOf = (key: string): HostHealth => {
    let h = health.get(key)
    if (h === undefined) {
      h = { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0, ejectedUntil: 0 }
      health.set(key, h)
    }
    return h
  }
  const isHealthy = (e: LbEndpoint) => {
    if (ejected === 0) return true
    const h = health.get(keyOf(e))
    if (h === undefined || h.ejectedUntil === 0) return true
    if (h.ejectedUntil > now()) return false
    h.ejectedUntil = 0
    ejected--
    return true
  }
  const weighted = (hosts: readonly LbEndpoint[], weightOf: (e: LbEndpoint) => number) => {
    const total = hosts.reduce((s, e) => s + weightOf(e), 0)
    let r = random() * total
    for (const e of hosts) {
      r -= weightOf(e)
      if (r < 0) return e
    }
    return hosts[hosts.length - 1]
  }
  const choose = (all: readonly LbEndpoint[], exclude?: ReadonlySet<string>) => {
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
  }
  /**
   * Envoy's priority load: each priority's health (healthy share x 1.4, at most 100) takes load
   * in order until 100% is placed, scaled up when the priorities together are degraded. With
   * Istio's panic threshold of 0, no healthy host at all means no host.
   */
  const pickLevel = (): readonly LbEndpoint[] | undefined => {
    const healthy = byLevel.map((hosts) => hosts.filter(isHealthy))
    const scores = byLevel.map((hosts, i) =>
      Math.min(
        100,
        (OVERPROVISIONING * 100 * (healthy[i]?.length ?? 0)) / Math.max(1, hosts.length),
      ),
    )
    const total = Math.min(
      100,
      scores.reduce((a, b) => a + b, 0),
    )
    if (total === 0) return undefined
    let placed = 0
    let r = random() * 100
    for (const [i, score] of scores.entries()) {
      const load = (Math.min(score, 100 - placed) * 100) / total
      placed += Math.min(score, 100 - placed)
      r -= load
      if (r < 0 && (healthy[i]?.length ?? 0) > 0) return healthy[i]
    }
    return healthy.findLast((h) => h.length > 0)
  }
  return {
    pick(exclude) {
      // The common case: one priority, nobody ejected.
      if (byLevel.length <= 1 && ejected === 0) return choose(serving, exclude)
      const level = pickLevel()
      return level === undefined ? undefined : choose(level, exclude)
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
    report(host, outcome) {
      if (outlier === undefined) return
      const h = healthOf(keyOf(host))
      const failed = outcome === 'connect-failure' || outcome >= 500
      const gateway =
        outcome === 'connect-failure' || outcome === 502 || outcome === 503 || outcome === 504
      h.consecutive5xx = failed ? h.consecutive5xx + 1 : 0
      h.consecutiveGateway = gateway ? h.consecutiveGateway + 1 : 0
      const trip =
        (outlier.consecutive5xx > 0 && h.consecutive5xx >= outlier.consecutive5xx) ||
        (outlier.consecutiveGatewayErrors > 0 &&
          h.consecutiveGateway >= outlier.consecutiveGatewayErrors)
      if (!trip || h.ejectedUntil > now()) return
      // One host may always be ejected; beyond that, only up to maxEjectionPercent of them.
      const allowed =
        ejected === 0 || ((ejected + 1) * 100) / serving.length <= outlier.maxEjectionPercent
      if (!allowed) return
      h.ejections++
      h.ejectedUntil = now() + outlier.baseEjectionMs * h.ejections
      h.consecutive5xx = 0
      h.consecutiveGateway = 0
      ejected++
    },
  }
}
