// Istio's primary-remote models, one network and two: cluster2 runs no istiod, and its proxies
// (its east-west gateway too) are configured by cluster1's istiod over the network, through
// cluster1's east-west gateway on 15012 (expose-istiod.yaml). The guide's verification works
// from both clusters; when the path to istiod breaks, cluster2 keeps serving with its last
// config and is reported stale, and it catches up once the path is back.

import { describe, expect, test, vi } from 'vitest'
import { parseResources } from '../../src/config/index.ts'
import { clusterId, type IstioResource } from '../../src/model/index.ts'
import type { Mesh } from '../../src/runtime/index.ts'
import { callFrom, tally } from '../helpers/mesh.ts'
import { endpointsOf, exampleSpec, HELLO, HELLO_CLUSTER, sharedMesh } from '../helpers/traffic.ts'

const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')

const statusOf = (mesh: Mesh, cluster: string, pod: string) =>
  mesh.proxyStatus().find((s) => s.cluster === cluster && s.pod.startsWith(pod))

describe.each([
  { file: 'primary-remote.yaml', v2From1: (ip: string) => `${ip}:5000` },
  { file: 'primary-remote-multi-network.yaml', v2From1: () => '192.168.1.247:15443' },
])('$file', ({ file, v2From1 }) => {
  const mesh = sharedMesh(() => exampleSpec(file), { seed: 5, connectTimeoutMs: 200 })

  test('sleep in each cluster reaches helloworld v1 and v2', async () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      const counts = await tally(mesh(), `${cluster}/sample/sleep`, HELLO, 20)
      expect(Object.keys(counts).sort()).toEqual(['v1', 'v2'])
    }
  })

  test("cluster2 runs no istiod; its proxies run cluster1's latest config, got over the network", () => {
    const m = mesh()
    expect(m.clusters.get(c2)?.controlPlane).toBeUndefined()
    const remote = m.proxyStatus().filter((s) => s.cluster === c2)
    expect(remote.length).toBeGreaterThanOrEqual(2)
    for (const s of remote) expect(s).toMatchObject({ controlPlane: c1, status: 'SYNCED' })
    expect(m.pod('cluster2/sample/sleep')?.sidecar?.discovery?.state).toBe('connected')
    const v2 = m.pod('cluster2/sample/helloworld')
    expect(
      endpointsOf(m, 'cluster1/sample/sleep', HELLO_CLUSTER).map((e) => `${e.address}:${e.port}`),
    ).toContain(v2From1(v2?.ip ?? ''))
  })

  test("the remote's xDS streams pass cluster1's east-west gateway on 15012 to istiod", async () => {
    const gw1 = mesh().gateways.find((g) => g.cluster === c1)
    const stats = await gw1?.proxy.stats()
    expect(
      stats?.['cluster.outbound|15012||istiod.istio-system.svc.cluster.local.upstream_cx_total'],
    ).toBeGreaterThanOrEqual(2)
  })

  test("a Deployment applied in the remote gets its config from cluster1's istiod and serves cluster1", async () => {
    const m = mesh()
    const httpbin = parseResources(
      `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: sample}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: sample}
spec:
  selector: {matchLabels: {app: httpbin, version: v1}}
  template:
    metadata: {labels: {app: httpbin, version: v1}}
    spec:
      serviceAccountName: httpbin
      containers: [{name: httpbin, image: docker.io/kennethreitz/httpbin, ports: [{containerPort: 8080}]}]
`,
      { file: 'httpbin.yaml' },
    ).resources
    m.apply(c2, httpbin)
    // The Service must exist in the caller's cluster too, for its DNS name.
    m.apply(
      c1,
      httpbin.filter((r) => r.kind === 'Service'),
    )
    await m.settled()
    const pod = m.pod('cluster2/sample/httpbin')
    expect(pod?.sidecar?.discoveryTarget?.address).toBe('192.168.1.246')
    await vi.waitFor(() => expect(statusOf(m, 'cluster2', 'httpbin')?.status).toBe('SYNCED'), {
      timeout: 5000,
      interval: 10,
    })
    const r = await callFrom(m, 'cluster1/sample/sleep', 'http://httpbin.sample:8000/headers')
    expect(r.status).toBe(200)
    m.delete(
      c2,
      httpbin.map((x) => ({
        kind: x.kind,
        namespace: x.metadata.namespace,
        name: x.metadata.name,
      })),
    )
    m.delete(
      c1,
      httpbin
        .filter((x) => x.kind === 'Service')
        .map((x) => ({ kind: x.kind, namespace: x.metadata.namespace, name: x.metadata.name })),
    )
    await m.settled()
  })

  test('when the path to istiod breaks, cluster2 keeps its last config and is reported stale until it is back', async () => {
    const m = mesh()
    const exposeIstiod = m.clusters
      .get(c1)
      ?.spec.resources.filter((r) => r.metadata.name === 'istiod-gateway') as IstioResource[]
    const refs = exposeIstiod.map((r) => ({
      kind: r.kind,
      namespace: r.metadata.namespace,
      name: r.metadata.name,
    }))
    m.delete(c1, refs)
    await m.settled()
    await vi.waitFor(() => expect(statusOf(m, 'cluster2', 'sleep')?.status).toBe('STALE'), {
      timeout: 5000,
      interval: 10,
    })

    // Still served, with the config it had.
    expect(endpointsOf(m, 'cluster2/sample/sleep', HELLO_CLUSTER)).not.toHaveLength(0)
    const stale = await tally(m, 'cluster2/sample/sleep', HELLO, 20)
    expect(Object.keys(stale).sort()).toEqual(['v1', 'v2'])

    // A change in cluster1 reaches cluster1's proxies only.
    const [onlyV1] = [
      parseResources(
        `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: helloworld, namespace: sample}
spec:
  host: helloworld.sample.svc.cluster.local
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: helloworld, namespace: sample}
spec:
  hosts: [helloworld.sample.svc.cluster.local]
  http: [{route: [{destination: {host: helloworld.sample.svc.cluster.local, subset: v1}}]}]
`,
        { file: 'only-v1.yaml' },
      ).resources,
    ]
    m.apply(c1, onlyV1 ?? [])
    await m.settled()
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    expect(Object.keys(await tally(m, 'cluster2/sample/sleep', HELLO, 20)).sort()).toEqual([
      'v1',
      'v2',
    ])

    // The path is back: cluster2 reconnects, catches up and follows the VirtualService.
    m.apply(c1, exposeIstiod)
    await vi.waitFor(() => expect(statusOf(m, 'cluster2', 'sleep')?.status).toBe('SYNCED'), {
      timeout: 5000,
      interval: 10,
    })
    expect(await tally(m, 'cluster2/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    m.delete(
      c1,
      (onlyV1 ?? []).map((r) => ({
        kind: r.kind,
        namespace: r.metadata.namespace,
        name: r.metadata.name,
      })),
    )
    await m.settled()
  })
})
