// ServiceEntries as services: an entry's hosts get listeners, routes, clusters and endpoints like
// a Service's, with the entry's VIP, ports (by name), labels, networks and weights; Istio mTLS
// only where a DestinationRule (here the `.global` install's `*.global`) asks for it, with no SAN
// check when the entry names no identities.

import { describe, expect, test } from 'vitest'
import {
  buildSnapshot,
  generate,
  istioConfigOf,
  Registry,
} from '../../../src/control-plane/index.ts'
import type {
  DestinationRule,
  IstioResource,
  IstioVersion,
  ServiceEntry,
} from '../../../src/model/index.ts'
import {
  clusterId,
  namespace,
  networkId,
  serviceAccount,
  serviceHost,
  trustDomain,
} from '../../../src/model/index.ts'
import type { ProxyConfig, ProxyNode } from '../../../src/xds/index.ts'

const FOO = namespace('foo')
const SYSTEM = namespace('istio-system')
const CLUSTER = 'outbound|8000||httpbin.bar.global'

/** The guide's entry: httpbin of cluster2 behind its ingress gateway. */
const httpbinBar = (spec: Partial<ServiceEntry['spec']> = {}): ServiceEntry => ({
  kind: 'ServiceEntry',
  metadata: { name: 'httpbin-bar', namespace: FOO },
  spec: {
    hosts: ['httpbin.bar.global'],
    location: 'MESH_INTERNAL',
    ports: [{ name: 'http1', number: 8000, protocol: 'http' }],
    resolution: 'DNS',
    addresses: ['240.0.0.2'],
    endpoints: [{ address: '192.168.2.246', ports: { http1: 15443 } }],
    ...spec,
  },
})

const globalMutual: DestinationRule = {
  kind: 'DestinationRule',
  metadata: { name: 'istio-multicluster-destinationrule', namespace: SYSTEM },
  spec: { host: '*.global', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
}

function snapshotWith(resources: readonly IstioResource[], istioVersion?: IstioVersion) {
  const registry = new Registry()
  registry.upsertService({
    cluster: clusterId('cluster1'),
    namespace: SYSTEM,
    name: 'istio-egressgateway',
    host: serviceHost('istio-egressgateway.istio-system.svc.cluster.local'),
    clusterIP: '10.100.0.250',
    ports: [{ name: 'tls', port: 15443, targetPort: 15443, protocol: 'TLS' }],
  })
  return buildSnapshot(
    1,
    {
      trustDomain: trustDomain('cluster.local'),
      connectTimeoutMs: 10_000,
      ...(istioVersion ? { istioVersion } : {}),
    },
    registry,
    istioConfigOf(resources),
  )
}

const V1_4: IstioVersion = { major: 1, minor: 4 }

const sleep: ProxyNode = {
  id: 'sidecar~10.10.0.6~sleep-x.foo~foo.svc.cluster.local',
  type: 'sidecar',
  cluster: clusterId('cluster1'),
  network: networkId('network1'),
  namespace: FOO,
  pod: 'sleep-x',
  ip: '10.10.0.6',
  serviceAccount: serviceAccount('sleep'),
  labels: { app: 'sleep' },
}

const endpointsOf = (config: ProxyConfig, cluster: string) =>
  config.endpoints
    .find((a) => a.clusterName === cluster)
    ?.endpoints.map((e) => `${e.address}:${e.port}`)

describe('a MESH_INTERNAL entry with the *.global DestinationRule', () => {
  const config = generate(sleep, snapshotWith([httpbinBar(), globalMutual], V1_4), 1)

  test('gets an HTTP virtual host for its host and VIP, routing to its cluster', () => {
    const vhost = config.routes
      .find((r) => r.name === '8000')
      ?.virtualHosts.find((v) => v.name === 'httpbin.bar.global:8000')
    expect(vhost?.domains).toEqual([
      'httpbin.bar.global',
      'httpbin.bar.global:8000',
      '240.0.0.2',
      '240.0.0.2:8000',
    ])
    expect(vhost?.routes[0]?.action).toEqual({ kind: 'cluster', cluster: CLUSTER })
  })

  test('is an HTTP cluster with Istio mTLS, the SNI form of its name, and no SAN check', () => {
    expect(config.clusters.find((c) => c.name === CLUSTER)).toMatchObject({
      protocol: 'HTTP',
      tls: { sni: 'outbound_.8000_._.httpbin.bar.global', subjectAltNames: [] },
      destinationRule: 'istio-multicluster-destinationrule.istio-system',
    })
  })

  test("has the other cluster's gateway as its endpoint, on the port its endpoint names", () => {
    expect(endpointsOf(config, CLUSTER)).toEqual(['192.168.2.246:15443'])
    expect(config.endpoints.find((a) => a.clusterName === CLUSTER)?.endpoints[0]).toMatchObject({
      kind: 'service-entry',
      network: '',
      weight: 1,
    })
  })
})

describe('ServiceEntry fields', () => {
  test('without a DestinationRule asking for it, an entry gets no mTLS (1.4 has no auto-mTLS)', () => {
    const config = generate(sleep, snapshotWith([httpbinBar()], V1_4), 1)
    expect(config.clusters.find((c) => c.name === CLUSTER)?.tls).toBeUndefined()
  })

  test('MESH_EXTERNAL is plain; from 1.5 auto-mTLS covers only endpoints labelled as mesh workloads', () => {
    const external = httpbinBar({ location: 'MESH_EXTERNAL' })
    expect(generate(sleep, snapshotWith([external]), 1).clusters[0]?.tls).toBeUndefined()
    const labelled = httpbinBar({
      endpoints: [{ address: '192.168.2.246', labels: { 'security.istio.io/tlsMode': 'istio' } }],
    })
    const config = generate(sleep, snapshotWith([labelled]), 1)
    expect(config.clusters.find((c) => c.name === CLUSTER)?.tls?.sni).toBe(
      'outbound_.8000_._.httpbin.bar.global',
    )
  })

  test('endpoint service accounts and subjectAltNames become the SAN list', () => {
    const se = httpbinBar({
      subjectAltNames: ['spiffe://cluster.local/ns/bar/sa/httpbin'],
      endpoints: [{ address: '192.168.2.246', serviceAccount: 'other' }],
    })
    const config = generate(sleep, snapshotWith([se, globalMutual], V1_4), 1)
    expect(config.clusters.find((c) => c.name === CLUSTER)?.tls?.subjectAltNames).toEqual([
      'spiffe://cluster.local/ns/bar/sa/httpbin',
      'spiffe://cluster.local/ns/foo/sa/other',
    ])
  })

  test('a TCP port gets a listener on the VIP; no port protocol means auto-detect (TCP here)', () => {
    const se = httpbinBar({ ports: [{ name: 'tcp', number: 9000 }] })
    const config = generate(sleep, snapshotWith([se]), 1)
    expect(config.listeners).toContainEqual({
      kind: 'outbound-tcp',
      name: '240.0.0.2_9000',
      address: '240.0.0.2',
      port: 9000,
      cluster: 'outbound|9000||httpbin.bar.global',
    })
    expect(config.clusters.find((c) => c.port === 9000)?.protocol).toBe('UnsupportedProtocol')
  })

  test('endpoint ports fall back to targetPort, then the port; weights and labels carry over', () => {
    const se = httpbinBar({
      resolution: 'STATIC',
      ports: [{ name: 'http1', number: 8000, protocol: 'HTTP', targetPort: 8080 }],
      endpoints: [
        { address: '10.1.0.1', weight: 3, labels: { version: 'v1' } },
        { address: '10.1.0.2', ports: { http1: 9999 } },
      ],
    })
    const eps = generate(sleep, snapshotWith([se]), 1).endpoints.find(
      (a) => a.clusterName === CLUSTER,
    )?.endpoints
    expect(eps?.map((e) => [e.address, e.port, e.weight, e.labels])).toEqual([
      ['10.1.0.1', 8080, 3, { version: 'v1' }],
      ['10.1.0.2', 9999, 1, {}],
    ])
  })

  test("a DNS endpoint naming a Service resolves to that Service's ClusterIP in the proxy's cluster", () => {
    const se = httpbinBar({
      endpoints: [
        { address: 'istio-egressgateway.istio-system.svc.cluster.local', ports: { http1: 15443 } },
        { address: 'nowhere.example.com' },
      ],
    })
    expect(endpointsOf(generate(sleep, snapshotWith([se]), 1), CLUSTER)).toEqual([
      '10.100.0.250:15443',
    ])
  })

  test('DestinationRule subsets on an entry host select its endpoints by label', () => {
    const se = httpbinBar({
      endpoints: [
        { address: '192.168.2.246', labels: { cluster: 'cluster2' } },
        { address: '192.168.3.246', labels: { cluster: 'cluster3' } },
      ],
    })
    const dr: DestinationRule = {
      kind: 'DestinationRule',
      metadata: { name: 'httpbin-global', namespace: FOO },
      spec: {
        host: 'httpbin.bar.global',
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
        subsets: [{ name: 'v2', labels: { cluster: 'cluster2' } }],
      },
    }
    const config = generate(sleep, snapshotWith([se, dr, globalMutual], V1_4), 1)
    expect(endpointsOf(config, 'outbound|8000|v2|httpbin.bar.global')).toEqual([
      '192.168.2.246:8000',
    ])
    expect(config.clusters.find((c) => c.subset === 'v2')?.tls?.sni).toBe(
      'outbound_.8000_.v2_.httpbin.bar.global',
    )
  })

  test('resolution NONE makes no service: traffic passes through to where the app dialed', () => {
    const config = generate(
      sleep,
      snapshotWith([httpbinBar({ resolution: 'NONE', endpoints: [] })]),
      1,
    )
    expect(config.clusters.some((c) => c.host === 'httpbin.bar.global')).toBe(false)
  })

  test('a host a Kubernetes Service already has stays the Service', () => {
    const se = httpbinBar({ hosts: ['istio-egressgateway.istio-system.svc.cluster.local'] })
    const config = generate(sleep, snapshotWith([se]), 1)
    const clusters = config.clusters.filter((c) => c.host.startsWith('istio-egressgateway'))
    expect(clusters.map((c) => c.port)).toEqual([15443])
  })
})

describe('network views of entry endpoints (istio-semantics §0.1, §5.5)', () => {
  const viaEgress = httpbinBar({
    resolution: 'STATIC',
    endpoints: [
      { address: '192.168.2.246', network: 'external', ports: { http1: 15443 } },
      { address: '10.100.0.250', ports: { http1: 15443 } },
    ],
  })
  const egress: ProxyNode = {
    ...sleep,
    type: 'router',
    pod: 'istio-egressgateway-x',
    namespace: SYSTEM,
    labels: { app: 'istio-egressgateway', istio: 'egressgateway' },
    requestedNetworkView: [networkId('external')],
  }

  const egressGateway: IstioResource = {
    kind: 'Gateway',
    metadata: { name: 'istio-multicluster-egressgateway', namespace: SYSTEM },
    spec: {
      selector: { istio: 'egressgateway' },
      servers: [
        {
          port: { number: 15443, name: 'tls', protocol: 'TLS' },
          tls: { mode: 'AUTO_PASSTHROUGH' },
          hosts: ['*.global'],
        },
      ],
    },
  }
  const SNI_CLUSTER = 'outbound_.8000_._.httpbin.bar.global'

  test('up to 1.7 a proxy without a view sees only network "", and the egress gateway only its view', () => {
    const snap = snapshotWith([viaEgress, globalMutual, egressGateway], V1_4)
    expect(endpointsOf(generate(sleep, snap, 1), CLUSTER)).toEqual(['10.100.0.250:15443'])
    expect(endpointsOf(generate(egress, snap, 1), SNI_CLUSTER)).toEqual(['192.168.2.246:15443'])
  })

  test('from 1.8 no view means every network, and a view adds network ""', () => {
    const snap = snapshotWith([viaEgress, egressGateway], { major: 1, minor: 8 })
    const both = ['192.168.2.246:15443', '10.100.0.250:15443']
    expect(endpointsOf(generate(sleep, snap, 1), CLUSTER)).toEqual(both)
    expect(endpointsOf(generate(egress, snap, 1), SNI_CLUSTER)).toEqual(both)
  })
})
