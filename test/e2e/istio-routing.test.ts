// Istio's routing resources on examples/two-networks.yaml, applied per cluster while the mesh
// runs: weighted traffic shifting (T10), subsets across networks (D10), each primary reading only
// its own cluster's config (D11), and the failures Envoy reports for bad routes (D19, NR).

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadTopologyFile, parseResources } from '../../src/config/index.ts'
import { type ClusterId, clusterId } from '../../src/model/index.ts'
import { type Mesh, startMesh } from '../../src/runtime/index.ts'
import { callFrom, recordsOf, tally } from '../helpers/mesh.ts'

const HELLO = 'http://helloworld.sample:5000/hello'
const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')

const SUBSETS = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: helloworld
  namespace: sample
spec:
  host: helloworld.sample.svc.cluster.local
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
  - name: v3
    labels: {version: v3}
`

const vs = (http: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: helloworld
  namespace: sample
spec:
  hosts: [helloworld.sample.svc.cluster.local]
  http:
${http}`

const WEIGHTS_80_20 = vs(`
  - route:
    - destination: {host: helloworld.sample.svc.cluster.local, subset: v1}
      weight: 80
    - destination: {host: helloworld.sample.svc.cluster.local, subset: v2}
      weight: 20
`)

const ALL_TO = (subset: string) =>
  vs(`
  - route:
    - destination: {host: helloworld.sample.svc.cluster.local, subset: ${subset}}
`)

async function apply(mesh: Mesh, cluster: ClusterId, yaml: string): Promise<void> {
  const parsed = parseResources(yaml, { file: 'test.yaml' })
  expect(parsed.problems).toEqual([])
  mesh.apply(cluster, parsed.resources)
  await mesh.settled()
}

async function remove(mesh: Mesh, cluster: ClusterId, yaml: string): Promise<void> {
  const parsed = parseResources(yaml, { file: 'test.yaml' })
  mesh.delete(
    cluster,
    parsed.resources.map((r) => ({
      kind: r.kind,
      namespace: r.metadata.namespace,
      name: r.metadata.name,
    })),
  )
  await mesh.settled()
}

describe('routing resources on a running mesh', () => {
  let mesh: Mesh
  // One mesh for the file: each test removes what it applied.
  beforeAll(async () => {
    const example = new URL('../../examples/two-networks.yaml', import.meta.url).pathname
    mesh = await startMesh(loadTopologyFile(example), { seed: 7 })
  })
  afterAll(() => mesh.close())

  test('a VirtualService splits traffic 80/20 across networks once both clusters define the subsets (T10)', async () => {
    await apply(mesh, c1, SUBSETS)
    await apply(mesh, c2, SUBSETS)
    await apply(mesh, c1, WEIGHTS_80_20)
    const counts = await tally(mesh, 'cluster1/sample/sleep', HELLO, 100)
    expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
    // Istio's shifting test: each destination within ±10 requests of its share.
    expect(Math.abs((counts.v1 ?? 0) - 80)).toBeLessThanOrEqual(10)
    await remove(mesh, c1, WEIGHTS_80_20)
    await remove(mesh, c1, SUBSETS)
    await remove(mesh, c2, SUBSETS)
  })

  test("a subset defined only in the caller's cluster fails across the network until the other cluster defines it (D10)", async () => {
    const records = recordsOf(mesh)
    await apply(mesh, c1, SUBSETS)
    await apply(mesh, c1, ALL_TO('v2'))
    const failed = await callFrom(mesh, 'cluster1/sample/sleep', HELLO)
    expect(failed.status).toBe(503)
    expect(failed.body).toMatch(
      /^upstream connect error or disconnect\/reset before headers\. retried and the latest reset reason: .*transport failure reason: TLS_error:.*Connection reset by peer/,
    )
    const sleep = mesh.pod('cluster1/sample/sleep')
    const last = records.findLast((r) => r.proxy === sleep?.name)
    expect(last).toMatchObject({
      responseFlags: ['UF', 'URX'],
      upstreamCluster: 'outbound|5000|v2|helloworld.sample.svc.cluster.local',
    })
    await apply(mesh, c2, SUBSETS)
    expect(await tally(mesh, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v2: 10 })
    await remove(mesh, c1, ALL_TO('v2'))
    await remove(mesh, c1, SUBSETS)
    await remove(mesh, c2, SUBSETS)
  })

  test("a VirtualService applied in cluster1 does not steer cluster2's callers (D11)", async () => {
    await apply(mesh, c1, SUBSETS)
    await apply(mesh, c1, ALL_TO('v1'))
    expect(await tally(mesh, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    const fromC2 = await tally(mesh, 'cluster2/sample/sleep', HELLO, 40)
    expect(Object.keys(fromC2).sort()).toEqual(['v1', 'v2'])
    await remove(mesh, c1, ALL_TO('v1'))
    await remove(mesh, c1, SUBSETS)
  })

  test('a subset that selects no pods answers 503 UH, one no rule defines 503 NC (D19)', async () => {
    const records = recordsOf(mesh)
    await apply(mesh, c1, SUBSETS)
    await apply(mesh, c1, ALL_TO('v3'))
    const none = await callFrom(mesh, 'cluster1/sample/sleep', HELLO)
    expect(none).toEqual({ status: 503, body: 'no healthy upstream' })
    await apply(mesh, c1, ALL_TO('v4'))
    const missing = await callFrom(mesh, 'cluster1/sample/sleep', HELLO)
    expect(missing.status).toBe(503)
    const sleep = mesh.pod('cluster1/sample/sleep')
    const flags = records
      .filter((r) => r.proxy === sleep?.name)
      .slice(-2)
      .map((r) => [r.responseFlags.join(','), r.responseCodeDetails])
    expect(flags).toEqual([
      ['UH', 'no_healthy_upstream'],
      ['NC', 'cluster_not_found'],
    ])
    await remove(mesh, c1, ALL_TO('v4'))
    await remove(mesh, c1, SUBSETS)
  })

  test('a request no route matches gets 404 NR; a header match routes only that user (D15-style)', async () => {
    const records = recordsOf(mesh)
    await apply(mesh, c1, SUBSETS)
    await apply(mesh, c2, SUBSETS)
    await apply(
      mesh,
      c1,
      vs(`
  - match:
    - headers:
        end-user: {exact: jason}
    route:
    - destination: {host: helloworld.sample.svc.cluster.local, subset: v2}
`),
    )
    expect(await tally(mesh, 'cluster1/sample/sleep', HELLO, 5, { 'end-user': 'jason' })).toEqual({
      v2: 5,
    })
    const unmatched = await callFrom(mesh, 'cluster1/sample/sleep', HELLO)
    expect(unmatched).toEqual({ status: 404, body: '' })
    const sleep = mesh.pod('cluster1/sample/sleep')
    expect(records.findLast((r) => r.proxy === sleep?.name)).toMatchObject({
      responseCode: 404,
      responseFlags: ['NR'],
      responseCodeDetails: 'route_not_found',
    })
  })
})
