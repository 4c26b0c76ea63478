// Where cross-cluster traffic lands: split-horizon EDS weighs a remote network's gateway by the
// endpoints behind it (Istio doc scenario D17), and callers reach every network (Istio's T3 check).

import { describe, expect, test } from 'vitest'
import { load, TWO_NETWORKS } from '../helpers/topologies.ts'
import {
  answerers,
  countBy,
  endpointsOf,
  exampleSpec,
  HELLO_CLUSTER,
  sharedMesh,
} from '../helpers/traffic.ts'

// One helloworld pod (v1) on network1 next to sleep, three (v2) behind network2's gateway.
const V2 = '{ app: helloworld, namespace: sample, version: v2, sample: helloworld }'
const ONE_LOCAL_THREE_REMOTE = TWO_NETWORKS.replace(V2, `${V2.slice(0, -2)}, replicas: 3 }`)
if (ONE_LOCAL_THREE_REMOTE === TWO_NETWORKS) throw new Error('TWO_NETWORKS changed: no v2 line')

describe('split-horizon weights: 1 local pod, 3 behind a remote gateway', () => {
  const mesh = sharedMesh(() => load(ONE_LOCAL_THREE_REMOTE), { seed: 11 })

  test("sleep's EDS holds the local pod at weight 1 and the remote gateway at weight 3", () => {
    const v1 = mesh().pod('cluster1/sample/helloworld')
    expect(
      endpointsOf(mesh(), 'cluster1/sample/sleep', HELLO_CLUSTER)
        .map((e) => ({ host: `${e.address}:${e.port}`, kind: e.kind, weight: e.weight }))
        .sort((a, b) => a.host.localeCompare(b.host)),
    ).toEqual([
      { host: `${v1?.ip}:5000`, kind: 'pod', weight: 1 },
      { host: '192.168.1.247:15443', kind: 'gateway', weight: 3 },
    ])
  })

  test('about a quarter of sequential requests stay on the local pod', async () => {
    const n = 400
    const hits = countBy(
      await answerers(mesh(), 'cluster1/sample/sleep', n),
      (p) => p.version ?? '',
    )
    expect(Object.keys(hits).sort()).toEqual(['v1', 'v2'])
    // Envoy's weighted schedule gives exactly 100 of 400; a weighted random pick gives a binomial
    // count with a standard deviation of 8.7 (2.2 points), so +-7 points (28 requests, over 3 SD)
    // holds for all but about 1 seed in 1000.
    expect(Math.abs((hits.v1 ?? 0) / n - 0.25)).toBeLessThanOrEqual(0.07)
  })
})

// T3 (Istio's ReachedTargetClusters): every expected network gets at least one hit; remote
// networks are checked at network granularity. 20 requests at 50/50 all miss one network with
// probability 2 in a million.
describe('two networks: every network is reached', () => {
  const mesh = sharedMesh(() => exampleSpec('two-networks.yaml'), { seed: 3 })

  test.each(['cluster1', 'cluster2'])(
    'sleep in %s reaches network1 and network2',
    async (cluster) => {
      const hits = await answerers(mesh(), `${cluster}/sample/sleep`, 20)
      expect(Object.keys(countBy(hits, (p) => p.network)).sort()).toEqual(['network1', 'network2'])
    },
  )
})
