// Envoy's load balancing over one cluster: priorities (locality failover), passive outlier
// ejection with Istio's settings, and the previous-hosts retry predicate.

import { describe, expect, test } from 'vitest'
import { clusterId, networkId } from '../../../src/model/index.ts'
import { createLoadBalancer, seededRandom } from '../../../src/proxy/index.ts'
import type { LbEndpoint, OutlierDetection } from '../../../src/xds/index.ts'

const ep = (address: string, priority = 0, weight = 1): LbEndpoint => ({
  address,
  port: 5000,
  weight,
  network: networkId('n1'),
  cluster: clusterId('c1'),
  tlsMode: 'istio',
  kind: 'pod',
  labels: {},
  locality: '',
  priority,
})

const outlier: OutlierDetection = {
  consecutive5xx: 2,
  consecutiveGatewayErrors: 0,
  baseEjectionMs: 1000,
  maxEjectionPercent: 100,
}

const picks = (lb: ReturnType<typeof createLoadBalancer>, n: number) => {
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const a = lb.pick()?.address ?? 'none'
    counts[a] = (counts[a] ?? 0) + 1
  }
  return counts
}

describe('priorities', () => {
  test('all traffic goes to priority 0 while it is healthy', () => {
    const lb = createLoadBalancer(
      'LEAST_REQUEST',
      [ep('a', 0), ep('b', 1)],
      seededRandom(1),
      outlier,
    )
    expect(picks(lb, 200)).toEqual({ a: 200 })
  })

  test('a priority with too few healthy hosts spills its load to the next (overprovisioning 1.4)', () => {
    let t = 0
    const hosts = [ep('a1', 0), ep('a2', 0), ep('a3', 0), ep('a4', 0), ep('b', 1)]
    const lb = createLoadBalancer('ROUND_ROBIN', hosts, seededRandom(2), outlier, () => t)
    // Eject two of the four priority-0 hosts: 50% healthy x 1.4 = 70% of the load stays there.
    for (const h of [hosts[0], hosts[1]]) {
      lb.report(h as LbEndpoint, 503)
      lb.report(h as LbEndpoint, 503)
    }
    const counts = picks(lb, 2000)
    expect(counts.a1).toBeUndefined()
    expect(counts.a2).toBeUndefined()
    expect((counts.b ?? 0) / 2000).toBeGreaterThan(0.25)
    expect((counts.b ?? 0) / 2000).toBeLessThan(0.35)
    t = 5000
    expect(picks(lb, 200).b ?? 0).toBe(0)
  })
})

describe('outlier detection', () => {
  test('consecutive 5xx eject a host for baseEjectionTime times its ejections, then it returns', () => {
    let t = 0
    const a = ep('a')
    const lb = createLoadBalancer('ROUND_ROBIN', [a, ep('b')], seededRandom(3), outlier, () => t)
    lb.report(a, 500)
    lb.report(a, 200)
    lb.report(a, 500)
    expect(picks(lb, 10).a).toBe(5) // a success in between resets the count
    lb.report(a, 'connect-failure')
    expect(picks(lb, 10)).toEqual({ b: 10 })
    t = 1001
    expect(picks(lb, 10).a).toBe(5)
    lb.report(a, 502)
    lb.report(a, 503)
    t = 2500 // the second ejection lasts 2 x 1000 ms
    expect(picks(lb, 10)).toEqual({ b: 10 })
  })

  test('an ejected host stays ejected in the balancer of the next config (shared host health)', () => {
    const health = new Map()
    const a = ep('a')
    const first = createLoadBalancer(
      'ROUND_ROBIN',
      [a, ep('b')],
      seededRandom(7),
      outlier,
      () => 0,
      health,
    )
    first.report(a, 503)
    first.report(a, 503)
    const next = createLoadBalancer(
      'ROUND_ROBIN',
      [ep('a'), ep('b'), ep('c')],
      seededRandom(7),
      outlier,
      () => 10,
      health,
    )
    expect(Object.keys(picks(next, 12)).sort()).toEqual(['b', 'c'])
    const without = createLoadBalancer(
      'ROUND_ROBIN',
      [ep('b')],
      seededRandom(7),
      outlier,
      () => 10,
      health,
    )
    expect(without.pick()?.address).toBe('b')
    expect(health.has('a:5000')).toBe(false)
  })

  test('without outlierDetection reports change nothing', () => {
    const a = ep('a')
    const lb = createLoadBalancer('ROUND_ROBIN', [a, ep('b')], seededRandom(4))
    for (let i = 0; i < 10; i++) lb.report(a, 503)
    expect(picks(lb, 10)).toEqual({ a: 5, b: 5 })
  })

  test('beyond the first, hosts are ejected only up to maxEjectionPercent', () => {
    const hosts = [ep('a'), ep('b'), ep('c'), ep('d')]
    const lb = createLoadBalancer('ROUND_ROBIN', hosts, seededRandom(5), {
      ...outlier,
      maxEjectionPercent: 10,
    })
    for (const h of hosts) {
      lb.report(h, 503)
      lb.report(h, 503)
    }
    expect(Object.keys(picks(lb, 30)).sort()).toEqual(['b', 'c', 'd'])
  })

  test('with every host ejected there is no host (Istio sets no panic threshold)', () => {
    const a = ep('a')
    const lb = createLoadBalancer('ROUND_ROBIN', [a], seededRandom(6), outlier)
    lb.report(a, 503)
    lb.report(a, 503)
    expect(lb.pick()).toBeUndefined()
  })
})
