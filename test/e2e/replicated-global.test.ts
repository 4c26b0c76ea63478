// Istio's replicated-control-planes guide (1.1-1.8, `.global` names) on
// examples/replicated-global.yaml: sleep in cluster1 reaches httpbin in cluster2 by the name a
// ServiceEntry gives it, through real DNS (istiocoredns behind the cluster DNS's stub domain),
// the sidecar's mTLS with the `.global` SNI and cluster2's ingress gateway rewriting it to a local
// cluster; version-aware routing picks cluster2's v2 by an entry subset; and the guide's
// egress-gateway ServiceEntry sends the same request out through cluster1's egress gateway.

import { once } from 'node:events'
import { request } from 'node:http'
import type { Socket } from 'node:net'
import { TCPClient, UDPClient } from 'dns2'
import { describe, expect, test, vi } from 'vitest'
import { parseResources } from '../../src/config/index.ts'
import { clusterId, type IstioResource, namespace } from '../../src/model/index.ts'
import type { Mesh } from '../../src/runtime/index.ts'
import { callFrom, recordsOf, tally } from '../helpers/mesh.ts'
import { endpointsOf, exampleSpec, sharedMesh } from '../helpers/traffic.ts'

const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')
const SLEEP = 'cluster1/foo/sleep'
const HEADERS = 'http://httpbin.bar.global:8000/headers'
const HTTPBIN_GLOBAL = 'outbound|8000||httpbin.bar.global'
const GLOBAL_SNI = 'outbound_.8000_._.httpbin.bar.global'
const LOCAL_SNI_CLUSTER = 'outbound_.8000_._.httpbin.bar.svc.cluster.local'
const CLUSTER2_GW = '192.168.2.246:15443'
const CLUSTER1_EGW = '10.100.0.250:15443'
const NXDOMAIN = 3

/** `curl -I URL` from a pod: a HEAD request through its sidecar's capture port. */
async function head(mesh: Mesh, pod: string, url: string): Promise<number> {
  const port = mesh.pod(pod)?.sidecar?.capturePort
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: url, method: 'HEAD', agent: false },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end()
  })
  await mesh.flushRecords()
  return status
}

const gatewayOf = (mesh: Mesh, cluster: string, app: string) =>
  mesh.gateways.find((g) => g.cluster === cluster && g.pod.app === app)

function resolvers(mesh: Mesh) {
  const dns = mesh.clusters.get(c1)?.dns
  if (!dns) throw new Error('no DNS for cluster1')
  return {
    udp: UDPClient({ dns: '127.0.0.1', port: dns.udp.port, timeout: 5_000, retryOverTCP: false }),
    tcp: TCPClient({ dns: '127.0.0.1', port: dns.tcp.port }),
  }
}

/** The guide's egress variant of httpbin-bar ($CLUSTER2_GW_ADDR is an IP: resolution STATIC). */
const [viaEgress] = parseResources(
  `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: httpbin-bar
spec:
  hosts:
  - httpbin.bar.global
  location: MESH_INTERNAL
  ports:
  - name: http1
    number: 8000
    protocol: http
  resolution: STATIC
  addresses:
  - 240.0.0.2
  endpoints:
  - address: 192.168.2.246
    network: external
    ports:
      http1: 15443
  - address: 10.100.0.250
    ports:
      http1: 15443
`,
  { file: 'httpbin-bar-egress.yaml', namespace: 'foo' },
).resources

describe('replicated control planes with .global names', () => {
  const mesh = sharedMesh(() => exampleSpec('replicated-global.yaml'), { seed: 3 })

  test("curl -I httpbin.bar.global:8000/headers from sleep in cluster1 answers 200, through cluster2's ingress gateway", async () => {
    const m = mesh()
    const records = recordsOf(m)
    expect(await head(m, SLEEP, HEADERS)).toBe(200)
    expect(records.find((r) => r.direction === 'outbound')).toMatchObject({
      method: 'HEAD',
      responseCode: 200,
      downstreamLocalAddress: '240.0.0.2:8000',
      upstreamCluster: HTTPBIN_GLOBAL,
      upstreamHost: CLUSTER2_GW,
      // mTLS end to end: the client sidecar saw httpbin's own certificate.
      peerIdentity: 'spiffe://cluster.local/ns/bar/sa/httpbin',
    })
    const ingress = gatewayOf(m, c2, 'istio-ingressgateway')
    expect(records.find((r) => r.direction === 'inbound')).toMatchObject({
      cluster: c2,
      requestedServerName: GLOBAL_SNI,
      peerIdentity: 'spiffe://cluster.local/ns/foo/sa/sleep',
      downstreamRemoteAddress: expect.stringMatching(`^${ingress?.pod.ip}:`),
    })
    // The gateway served the SNI from the local cluster its rewrite named.
    const stats = await ingress?.proxy.stats()
    expect(stats?.[`cluster.${LOCAL_SNI_CLUSTER}.upstream_cx_total`]).toBeGreaterThanOrEqual(1)
  })

  test('each istiod knows only its own cluster; cluster1 knows httpbin only as the entry, with no SAN check', () => {
    const m = mesh()
    const hosts = m.clusters.get(c1)?.controlPlane?.snapshot.services.map((s) => s.host)
    expect(hosts).toContain('httpbin.bar.global')
    expect(hosts).not.toContain('httpbin.bar.svc.cluster.local')
    const cluster = m.pod(SLEEP)?.sidecar?.config?.clusters.find((c) => c.name === HTTPBIN_GLOBAL)
    expect(cluster?.tls).toEqual({ sni: GLOBAL_SNI, subjectAltNames: [] })
    expect(cluster?.destinationRule).toBe('istio-multicluster-destinationrule.istio-system')
  })

  test("cluster1's DNS answers httpbin.bar.global from istiocoredns: 240.0.0.2, TTL 3600, over UDP and TCP", async () => {
    const { udp, tcp } = resolvers(mesh())
    for (const ask of [udp, tcp]) {
      const response = await ask('httpbin.bar.global', 'A')
      expect(response.header).toMatchObject({ rcode: 0, aa: 1 })
      expect(response.answers.map((a) => [a.name, a.ttl, a.address])).toEqual([
        ['httpbin.bar.global', 3600, '240.0.0.2'],
      ])
    }
    expect(mesh().clusters.get(c1)?.istiocoredns?.stats().queries).toBeGreaterThanOrEqual(2)
  })

  test('foo.bar.global and AAAA for httpbin.bar.global are NXDOMAIN; curl cannot resolve the unknown name', async () => {
    const { udp } = resolvers(mesh())
    expect((await udp('foo.bar.global', 'A')).header.rcode).toBe(NXDOMAIN)
    const aaaa = await udp('httpbin.bar.global', 'AAAA')
    expect(aaaa.header.rcode).toBe(NXDOMAIN)
    expect(aaaa.answers).toEqual([])
    const reply = await callFrom(mesh(), SLEEP, 'http://foo.bar.global:8000/headers')
    expect(reply.status).toBe(502)
    expect(reply.body).toMatch(/foo\.bar\.global does not resolve/)
  })

  test('pods search global and <ns>.global: from foo, httpbin.bar is 240.0.0.2', async () => {
    const m = mesh()
    const records = recordsOf(m)
    const port = m.pod(SLEEP)?.sidecar?.capturePort
    const connect = request({
      host: '127.0.0.1',
      port,
      method: 'CONNECT',
      path: 'httpbin.bar:8000',
    })
    connect.end()
    const [res, socket] = (await once(connect, 'connect')) as [{ statusCode: number }, Socket]
    expect(res.statusCode).toBe(200)
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          createConnection: () => socket,
          path: '/headers',
          method: 'HEAD',
          headers: { host: 'httpbin.bar.global:8000' },
        },
        (r) => {
          r.resume()
          r.on('end', () => resolve(r.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end()
    })
    socket.destroy()
    expect(status).toBe(200)
    await m.flushRecords()
    expect(records.find((r) => r.direction === 'outbound')?.downstreamLocalAddress).toBe(
      '240.0.0.2:8000',
    )
  })

  test('version-aware routing: jason reaches v2 in cluster2 only, everyone else v1 in cluster1', async () => {
    const m = mesh()
    const records = recordsOf(m)
    const hello = 'http://helloworld.sample:5000/hello'
    expect(await tally(m, SLEEP, hello, 10, { 'end-user': 'jason' })).toEqual({ v2: 10 })
    expect(await tally(m, SLEEP, hello, 10)).toEqual({ v1: 10 })
    const served = records.filter((r) => r.direction === 'inbound')
    expect(new Set(served.map((r) => `${r.cluster} ${r.requestedServerName}`))).toEqual(
      new Set([
        'cluster2 outbound_.5000_.v2_.helloworld.sample.global',
        'cluster1 outbound_.5000_.v1_.helloworld.sample.svc.cluster.local',
      ]),
    )
  })

  test('an entry applied later resolves at once; one naming no Service of cluster2 is closed by its gateway', async () => {
    const m = mesh()
    const records = recordsOf(m)
    const [typo] = parseResources(
      `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata: {name: httpbin-baz, namespace: foo}
spec:
  hosts: [httpbin.baz.global]
  location: MESH_INTERNAL
  ports: [{name: http1, number: 8000, protocol: http}]
  resolution: DNS
  addresses: [240.0.0.4]
  endpoints: [{address: 192.168.2.246, ports: {http1: 15443}}]
`,
      { file: 'httpbin-baz.yaml' },
    ).resources
    const ref = { kind: 'ServiceEntry', namespace: namespace('foo'), name: 'httpbin-baz' } as const
    m.apply(c1, [typo as IstioResource])
    await m.settled()
    try {
      const answer = await resolvers(m).udp('httpbin.baz.global', 'A')
      expect(answer.answers.map((a) => a.address)).toEqual(['240.0.0.4'])
      // The pod resolves it; cluster2's gateway finds no cluster for httpbin.baz and closes.
      const reply = await callFrom(m, SLEEP, 'http://httpbin.baz.global:8000/headers')
      expect(reply.status).toBe(503)
      expect(records.find((r) => r.direction === 'outbound')).toMatchObject({
        downstreamLocalAddress: '240.0.0.4:8000',
        responseFlags: ['UF', 'URX'],
      })
      await vi.waitFor(async () => {
        await m.flushRecords()
        expect(records.find((r) => r.direction === 'gateway')).toMatchObject({
          cluster: c2,
          requestedServerName: 'outbound_.8000_._.httpbin.baz.global',
          responseFlags: ['NC'],
        })
      })
    } finally {
      m.delete(c1, [ref])
      await m.settled()
    }
    const gone = await resolvers(m).udp('httpbin.baz.global', 'A')
    expect(gone.header.rcode).toBe(NXDOMAIN)
  })

  test('without the *.global DestinationRule the sidecar sends plaintext, which the gateway cannot route', async () => {
    const m = mesh()
    const rule = m.clusters
      .get(c1)
      ?.config.list()
      .find((r) => r.metadata.name === 'istio-multicluster-destinationrule')
    const ref = {
      kind: 'DestinationRule',
      namespace: namespace('istio-system'),
      name: rule?.metadata.name ?? '',
    } as const
    const ingress = gatewayOf(m, c2, 'istio-ingressgateway')
    const before = (await ingress?.proxy.stats())?.no_filter_chain_match ?? 0
    m.delete(c1, [ref])
    await m.settled()
    try {
      expect(
        m.pod(SLEEP)?.sidecar?.config?.clusters.find((c) => c.name === HTTPBIN_GLOBAL)?.tls,
      ).toBeUndefined()
      expect(await head(m, SLEEP, HEADERS)).toBe(503)
      expect((await ingress?.proxy.stats())?.no_filter_chain_match).toBeGreaterThan(before)
    } finally {
      m.apply(c1, [rule as IstioResource])
      await m.settled()
    }
    expect(await head(m, SLEEP, HEADERS)).toBe(200)
  })

  test("the egress-gateway variant sends the request out through cluster1's egress gateway, then cluster2's ingress gateway", async () => {
    const m = mesh()
    const records = recordsOf(m)
    const egress = gatewayOf(m, c1, 'istio-egressgateway')
    const ingress = gatewayOf(m, c2, 'istio-ingressgateway')
    const guide = m.clusters
      .get(c1)
      ?.config.list()
      .find((r) => r.metadata.name === 'httpbin-bar')
    expect(await head(m, SLEEP, HEADERS)).toBe(200)

    m.apply(c1, [viaEgress as IstioResource])
    await m.settled()
    // Sidecars see only network "" (the egress gateway); the egress gateway only `external`.
    expect(endpointsOf(m, SLEEP, HTTPBIN_GLOBAL).map((e) => `${e.address}:${e.port}`)).toEqual([
      CLUSTER1_EGW,
    ])
    const atEgress = egress?.proxy.config?.endpoints.find((a) => a.clusterName === GLOBAL_SNI)
    expect(atEgress?.endpoints.map((e) => `${e.address}:${e.port}`)).toEqual([CLUSTER2_GW])
    // The sidecar dropped its direct connection; cluster2's gateway logs it as it closes.
    const from = (proxy: string | undefined, ip: string | undefined) =>
      records.find(
        (r) =>
          r.direction === 'gateway' &&
          r.proxy === proxy &&
          r.requestedServerName === GLOBAL_SNI &&
          r.downstreamRemoteAddress.startsWith(`${ip}:`),
      )
    await vi.waitFor(
      async () => {
        await m.flushRecords()
        expect(from(ingress?.pod.name, m.pod(SLEEP)?.ip)).toMatchObject({
          requestedServerName: GLOBAL_SNI,
          upstreamCluster: LOCAL_SNI_CLUSTER,
        })
      },
      { timeout: 5000, interval: 20 },
    )

    expect(await head(m, SLEEP, HEADERS)).toBe(200)
    expect(records.filter((r) => r.direction === 'outbound').at(-1)?.upstreamHost).toBe(
      CLUSTER1_EGW,
    )
    // Back to the guide's entry: the sidecar closes its connection to the egress gateway.
    m.apply(c1, [guide as IstioResource])
    await m.settled()
    await vi.waitFor(
      async () => {
        await m.flushRecords()
        expect(from(egress?.pod.name, m.pod(SLEEP)?.ip)).toMatchObject({
          cluster: c1,
          requestedServerName: GLOBAL_SNI,
          upstreamCluster: GLOBAL_SNI,
          upstreamHost: CLUSTER2_GW,
        })
        expect(from(ingress?.pod.name, egress?.pod.ip)).toMatchObject({
          requestedServerName: GLOBAL_SNI,
          upstreamCluster: LOCAL_SNI_CLUSTER,
        })
      },
      { timeout: 5000, interval: 20 },
    )
    expect(endpointsOf(m, SLEEP, HTTPBIN_GLOBAL).map((e) => `${e.address}:${e.port}`)).toEqual([
      CLUSTER2_GW,
    ])
  })
})
