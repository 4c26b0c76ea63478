// The verification step of Istio's multi-primary, multi-network guide on examples/two-networks.yaml:
// helloworld v1 in cluster1 and v2 in cluster2 answer sleep in both clusters, cross-network calls
// go through the remote east-west gateway, and the guide's failure variants fail as Istio's do.

import { describe, expect, onTestFinished, test } from 'vitest'
import { clusterId } from '../../src/model/index.ts'
import { startMesh } from '../../src/runtime/index.ts'
import { callFrom, meshFromExample, recordsOf, tally } from '../helpers/mesh.ts'
import { load, TWO_NETWORKS } from '../helpers/topologies.ts'
import { exampleSpec, sharedMesh } from '../helpers/traffic.ts'

const HELLO = 'http://helloworld.sample:5000/hello'
const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')

describe('two networks, two primaries', () => {
  // One mesh for the block: these tests only send traffic and read what it did.
  const shared = sharedMesh(() => exampleSpec('two-networks.yaml'))

  test.each(['cluster1', 'cluster2'])(
    'sleep in %s gets both versions, each 35-65% of 200 requests, with no failures',
    async (cluster) => {
      const mesh = shared()
      const counts = await tally(mesh, `${cluster}/sample/sleep`, HELLO, 200)
      expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
      for (const v of ['v1', 'v2']) {
        expect(counts[v]).toBeGreaterThanOrEqual(70)
        expect(counts[v]).toBeLessThanOrEqual(130)
      }
    },
  )

  test('cross-network requests go through the remote gateway, local ones straight to the pod', async () => {
    const mesh = shared()
    const records = recordsOf(mesh)
    await tally(mesh, 'cluster1/sample/sleep', HELLO, 40)
    const sleep = mesh.pod('cluster1/sample/sleep')
    const v1 = mesh.pod('cluster1/sample/helloworld')
    const v2 = mesh.pod('cluster2/sample/helloworld')
    const outbound = records.filter((r) => r.direction === 'outbound' && r.proxy === sleep?.name)
    expect(outbound).toHaveLength(40)
    const hosts = new Set(outbound.map((r) => r.upstreamHost))
    expect(hosts).toEqual(new Set([`${v1?.ip}:5000`, '192.168.1.247:15443']))
    expect(
      outbound.every(
        (r) => r.upstreamCluster === 'outbound|5000||helloworld.sample.svc.cluster.local',
      ),
    ).toBe(true)

    const viaGateway = outbound.filter((r) => r.upstreamHost === '192.168.1.247:15443').length
    const atV2 = records.filter((r) => r.direction === 'inbound' && r.proxy === v2?.name)
    expect(atV2).toHaveLength(viaGateway)
    expect(atV2[0]).toMatchObject({
      requestedServerName: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
      peerIdentity: 'spiffe://cluster.local/ns/sample/sa/sleep',
      upstreamCluster: 'inbound|5000||',
    })
    const gw2 = mesh.gateways.find((g) => g.cluster === c2)
    expect((await gw2?.proxy.stats())?.downstream_cx_total).toBeGreaterThan(0)
    expect(records.some((r) => r.direction === 'gateway' && r.cluster === c1)).toBe(false)
  })

  test('the client sidecar logs the same request id the server sidecar logs', async () => {
    const mesh = shared()
    const records = recordsOf(mesh)
    await tally(mesh, 'cluster2/sample/sleep', HELLO, 10)
    for (const out of records.filter((r) => r.direction === 'outbound')) {
      const served = records.filter(
        (r) => r.direction === 'inbound' && r.requestId === out.requestId,
      )
      expect(served).toHaveLength(1)
    }
  })
})

describe('failure variants', () => {
  test("without cluster2's gateway, attempts toward v2's pod IP time out and v1 answers after Istio's retry", async () => {
    const mesh = await meshFromExample('two-networks.yaml', {
      withoutGateways: [c2],
      connectTimeoutMs: 50,
    })
    const counts = await tally(mesh, 'cluster1/sample/sleep', HELLO, 30)
    expect(counts).toEqual({ v1: 30 })
    const sleep = mesh.pod('cluster1/sample/sleep')
    expect((await sleep?.sidecar?.stats())?.upstream_cx_connect_fail).toBeGreaterThan(0)
    expect(mesh.fabric.stats.unroutable).toBeGreaterThan(0)
    const endpoints = sleep?.sidecar?.config?.endpoints.find(
      (a) => a.clusterName === 'outbound|5000||helloworld.sample.svc.cluster.local',
    )
    // Istio treats a network without a gateway as directly reachable: v2's pod IP is listed.
    expect(endpoints?.endpoints.map((e) => e.address)).toContain(
      mesh.pod('cluster2/sample/helloworld')?.ip,
    )
  })

  test("a service only cluster2 runs, with cluster2's gateway gone, fails 503 UF,URX after three attempts", async () => {
    // The Service exists in both clusters (as the guides require); only cluster2 runs pods.
    const text = TWO_NETWORKS.replace(
      '        - { app: sleep, namespace: sample, sample: sleep }',
      '        - { app: sleep, namespace: sample, sample: sleep }\n        - { app: httpbin, namespace: sample, sample: httpbin, replicas: 0 }',
    ).replace(
      '        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }',
      '        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }\n        - { app: httpbin, namespace: sample, sample: httpbin }',
    )
    const mesh = await startMesh(load(text), { withoutGateways: [c2], connectTimeoutMs: 20 })
    onTestFinished(() => mesh.close())
    const records = recordsOf(mesh)
    const r = await callFrom(mesh, 'cluster1/sample/helloworld', 'http://httpbin.sample:8000/get')
    expect(r.status).toBe(503)
    expect(r.body).toBe(
      'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: connection timeout',
    )
    expect(records).toContainEqual(
      expect.objectContaining({
        direction: 'outbound',
        responseCode: 503,
        responseFlags: ['UF', 'URX'],
        responseCodeDetails: 'upstream_reset_before_response_started{connection_timeout}',
        upstreamHost: `${mesh.pod('cluster2/sample/httpbin')?.ip}:8080`,
      }),
    )
    const stats = await mesh.pod('cluster1/sample/helloworld')?.sidecar?.stats()
    expect(stats?.upstream_cx_connect_fail).toBe(3)
  })
})
