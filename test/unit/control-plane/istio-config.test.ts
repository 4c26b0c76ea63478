// How Istio resources shape generated config: DestinationRule subsets become clusters with their
// own SNI and endpoints, VirtualServices become ordered routes, meshConfig can keep a host local.

import { describe, expect, test } from 'vitest'
import type { EndpointRecord } from '../../../src/control-plane/index.ts'
import {
  buildSnapshot,
  generate,
  istioConfigOf,
  Registry,
} from '../../../src/control-plane/index.ts'
import type {
  DestinationRule,
  IstioResource,
  MeshConfig,
  VirtualService,
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

const HOST = serviceHost('helloworld.sample.svc.cluster.local')
const SAMPLE = namespace('sample')

function ep(pod: string, ip: string, cluster: string, network: string, version: string) {
  return {
    host: HOST,
    cluster: clusterId(cluster),
    network: networkId(network),
    pod,
    namespace: SAMPLE,
    ip,
    serviceAccount: serviceAccount('default'),
    labels: { app: 'helloworld', version },
    locality: '',
    tlsMode: 'istio',
  } satisfies EndpointRecord
}

const subsets: DestinationRule = {
  kind: 'DestinationRule',
  metadata: { name: 'helloworld', namespace: SAMPLE },
  spec: {
    host: 'helloworld',
    trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
      { name: 'v3', labels: { version: 'v3' } },
    ],
  },
}

const jasonToV2: VirtualService = {
  kind: 'VirtualService',
  metadata: { name: 'helloworld', namespace: SAMPLE },
  spec: {
    hosts: ['helloworld'],
    http: [
      {
        name: 'jason',
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'helloworld', subset: 'v2' } }],
      },
      {
        match: [{ uri: { prefix: '/hello' }, sourceLabels: { app: 'sleep' } }],
        route: [
          { destination: { host: 'helloworld', subset: 'v1' }, weight: 75 },
          { destination: { host: 'helloworld', subset: 'v2' }, weight: 25 },
        ],
      },
    ],
  },
}

function snapshotWith(resources: readonly IstioResource[], meshConfig: MeshConfig = {}) {
  const registry = new Registry()
  for (const cluster of ['cluster1', 'cluster2']) {
    registry.upsertService({
      cluster: clusterId(cluster),
      namespace: SAMPLE,
      name: 'helloworld',
      host: HOST,
      clusterIP: cluster === 'cluster1' ? '10.100.0.4' : '10.200.0.4',
      ports: [{ name: 'http', port: 5000, targetPort: 5000, protocol: 'HTTP' }],
    })
  }
  registry.upsertEndpoint(ep('v1-a', '10.10.0.5', 'cluster1', 'network1', 'v1'))
  registry.upsertEndpoint(ep('v2-a', '10.20.0.5', 'cluster2', 'network2', 'v2'))
  registry.upsertEndpoint(ep('v2-b', '10.20.0.6', 'cluster2', 'network2', 'v2'))
  for (const [network, cluster, address] of [
    ['network1', 'cluster1', '192.168.1.246'],
    ['network2', 'cluster2', '192.168.1.247'],
  ] as const) {
    registry.upsertGateway({
      network: networkId(network),
      cluster: clusterId(cluster),
      address,
      port: 15443,
    })
  }
  return buildSnapshot(
    1,
    { trustDomain: trustDomain('cluster.local'), connectTimeoutMs: 10_000 },
    registry,
    istioConfigOf(resources),
    meshConfig,
  )
}

const sleep: ProxyNode = {
  id: 'sidecar~10.10.0.9~sleep-x.sample~sample.svc.cluster.local',
  type: 'sidecar',
  cluster: clusterId('cluster1'),
  network: networkId('network1'),
  namespace: SAMPLE,
  pod: 'sleep-x',
  ip: '10.10.0.9',
  serviceAccount: serviceAccount('sleep'),
  labels: { app: 'sleep' },
}
const gateway2: ProxyNode = {
  ...sleep,
  id: 'router~10.20.0.2~istio-eastwestgateway-x.istio-system~istio-system.svc.cluster.local',
  type: 'router',
  cluster: clusterId('cluster2'),
  network: networkId('network2'),
  namespace: namespace('istio-system'),
  pod: 'istio-eastwestgateway-x',
  labels: { app: 'istio-eastwestgateway', istio: 'eastwestgateway' },
  requestedNetworkView: [networkId('network2')],
}

const endpointsOf = (config: ProxyConfig, cluster: string) =>
  config.endpoints
    .find((a) => a.clusterName === cluster)
    ?.endpoints.map((e) => `${e.address}:${e.port} w=${e.weight}`)

describe('DestinationRule subsets', () => {
  const config = generate(sleep, snapshotWith([subsets]), 1)

  test('each subset is a cluster with its own SNI, and the rule sets its load balancer', () => {
    const v2 = config.clusters.find(
      (c) => c.name === 'outbound|5000|v2|helloworld.sample.svc.cluster.local',
    )
    expect(v2).toMatchObject({
      subset: 'v2',
      lbPolicy: 'ROUND_ROBIN',
      destinationRule: 'helloworld.sample',
      tls: { sni: 'outbound_.5000_.v2_.helloworld.sample.svc.cluster.local' },
    })
    expect(config.clusters.map((c) => c.subset)).toEqual(['', 'v1', 'v2', 'v3'])
  })

  test('a subset selects endpoints by label before split horizon collapses remote ones', () => {
    expect(endpointsOf(config, 'outbound|5000|v1|helloworld.sample.svc.cluster.local')).toEqual([
      '10.10.0.5:5000 w=1',
    ])
    expect(endpointsOf(config, 'outbound|5000|v2|helloworld.sample.svc.cluster.local')).toEqual([
      '192.168.1.247:15443 w=2',
    ])
    expect(endpointsOf(config, 'outbound|5000|v3|helloworld.sample.svc.cluster.local')).toEqual([])
  })

  test("a gateway has a subset's SNI chain only when its own control plane knows the rule", () => {
    const chains = (resources: IstioResource[]) =>
      generate(gateway2, snapshotWith(resources), 1).listeners.flatMap((l) =>
        l.kind === 'gateway' ? l.filterChains.map((c) => c.serverName) : [],
      )
    expect(chains([])).toEqual(['outbound_.5000_._.helloworld.sample.svc.cluster.local'])
    expect(chains([subsets])).toContain('outbound_.5000_.v2_.helloworld.sample.svc.cluster.local')
    const gwConfig = generate(gateway2, snapshotWith([subsets]), 1)
    expect(
      endpointsOf(gwConfig, 'outbound_.5000_.v2_.helloworld.sample.svc.cluster.local'),
    ).toEqual(['10.20.0.5:5000 w=1', '10.20.0.6:5000 w=1'])
  })

  test('a rule in the proxy namespace wins over one in the service namespace', () => {
    const mine: DestinationRule = {
      kind: 'DestinationRule',
      metadata: { name: 'mine', namespace: namespace('client') },
      spec: {
        host: 'helloworld.sample.svc.cluster.local',
        subsets: [{ name: 'only', labels: {} }],
      },
    }
    const client = generate(
      { ...sleep, namespace: namespace('client') },
      snapshotWith([subsets, mine]),
      1,
    )
    expect(client.clusters.map((c) => c.subset)).toEqual(['', 'only'])
    expect(config.clusters.every((c) => c.destinationRule === 'helloworld.sample')).toBe(true)
  })

  test('tls mode DISABLE sends plaintext', () => {
    const plain: DestinationRule = {
      ...subsets,
      spec: { host: 'helloworld', trafficPolicy: { tls: { mode: 'DISABLE' } } },
    }
    const c = generate(sleep, snapshotWith([plain]), 1).clusters[0]
    expect(c?.tls).toBeUndefined()
  })
})

describe('VirtualService routes', () => {
  const routesOf = (node: ProxyNode, resources: IstioResource[]) =>
    generate(node, snapshotWith(resources), 1).routes[0]?.virtualHosts[0]?.routes ?? []

  test('without a VirtualService the virtual host has only the default catch-all', () => {
    expect(routesOf(sleep, [])).toEqual([
      {
        name: 'default',
        match: { path: { prefix: '/' }, headers: [] },
        action: { kind: 'cluster', cluster: 'outbound|5000||helloworld.sample.svc.cluster.local' },
      },
    ])
  })

  test('http routes become ordered Envoy routes with header matches and weighted subsets', () => {
    const routes = routesOf(sleep, [subsets, jasonToV2])
    expect(routes).toEqual([
      {
        name: 'jason',
        match: {
          path: { prefix: '/' },
          headers: [{ name: 'end-user', match: { exact: 'jason' } }],
        },
        action: {
          kind: 'cluster',
          cluster: 'outbound|5000|v2|helloworld.sample.svc.cluster.local',
        },
        virtualService: 'helloworld.sample',
      },
      {
        name: '',
        match: { path: { prefix: '/hello' }, headers: [] },
        action: {
          kind: 'weighted',
          clusters: [
            { name: 'outbound|5000|v1|helloworld.sample.svc.cluster.local', weight: 75 },
            { name: 'outbound|5000|v2|helloworld.sample.svc.cluster.local', weight: 25 },
          ],
        },
        virtualService: 'helloworld.sample',
      },
    ])
  })

  test('a match for other source labels does not exist for this proxy (no catch-all is added)', () => {
    const routes = routesOf({ ...sleep, labels: { app: 'other' } }, [subsets, jasonToV2])
    expect(routes.map((r) => r.name)).toEqual(['jason'])
  })

  test('a VirtualService bound only to a Gateway does not route sidecars', () => {
    const gatewayOnly: VirtualService = {
      ...jasonToV2,
      spec: { ...jasonToV2.spec, gateways: ['istio-system/ingress'] },
    }
    expect(routesOf(sleep, [subsets, gatewayOnly]).map((r) => r.name)).toEqual(['default'])
  })

  test('a route to a subset no rule defines names a cluster the proxy does not have', () => {
    const config = generate(sleep, snapshotWith([jasonToV2]), 1)
    const names = new Set(config.clusters.map((c) => c.name))
    const route = config.routes[0]?.virtualHosts[0]?.routes[0]
    expect(route?.action).toEqual({
      kind: 'cluster',
      cluster: 'outbound|5000|v2|helloworld.sample.svc.cluster.local',
    })
    expect(names.has('outbound|5000|v2|helloworld.sample.svc.cluster.local')).toBe(false)
  })
})

describe('meshConfig serviceSettings', () => {
  test('a cluster-local host keeps only endpoints of the proxy cluster', () => {
    const local = {
      serviceSettings: [
        { hosts: ['helloworld.sample.svc.cluster.local'], settings: { clusterLocal: true } },
      ],
    }
    const config = generate(sleep, snapshotWith([], local), 1)
    expect(endpointsOf(config, 'outbound|5000||helloworld.sample.svc.cluster.local')).toEqual([
      '10.10.0.5:5000 w=1',
    ])
    const wildcard = {
      serviceSettings: [
        { hosts: ['*.sample.svc.cluster.local'], settings: { clusterLocal: true } },
      ],
    }
    expect(
      endpointsOf(
        generate(sleep, snapshotWith([], wildcard), 1),
        'outbound|5000||helloworld.sample.svc.cluster.local',
      ),
    ).toEqual(['10.10.0.5:5000 w=1'])
  })
})
