// Split-horizon EDS as Istio's eds_sh_test.go checks it: rows of (proxy network, want endpoints).

import { describe, expect, test } from 'vitest'
import type { EndpointRecord, NetworkGateway } from '../../../src/control-plane/index.ts'
import {
  buildSnapshot,
  generate,
  Registry,
  splitHorizon,
} from '../../../src/control-plane/index.ts'
import type { NetworkId } from '../../../src/model/index.ts'
import {
  clusterId,
  namespace,
  networkId,
  serviceAccount,
  serviceHost,
  trustDomain,
} from '../../../src/model/index.ts'
import type { ProxyNode } from '../../../src/xds/index.ts'

const HOST = serviceHost('helloworld.sample.svc.cluster.local')

function ep(pod: string, ip: string, cluster: string, network: string, tls = true): EndpointRecord {
  return {
    host: HOST,
    cluster: clusterId(cluster),
    network: networkId(network),
    pod,
    namespace: namespace('sample'),
    ip,
    serviceAccount: serviceAccount('default'),
    labels: { app: 'helloworld' },
    locality: '',
    tlsMode: tls ? 'istio' : 'disabled',
  }
}
const gw = (network: string, cluster: string, address: string): NetworkGateway => ({
  network: networkId(network),
  cluster: clusterId(cluster),
  address,
  port: 15443,
})

const endpoints = [
  ep('v1-a', '10.10.0.5', 'cluster1', 'network1'),
  ep('v2-a', '10.20.0.5', 'cluster2', 'network2'),
  ep('v2-b', '10.20.0.6', 'cluster2', 'network2'),
  ep('v2-c', '10.20.0.7', 'cluster2', 'network2'),
]
const gateways = [
  gw('network1', 'cluster1', '192.168.1.246'),
  gw('network2', 'cluster2', '192.168.1.247'),
]
const addresses = (network: string, view?: NetworkId[]) =>
  splitHorizon(
    { network: networkId(network), ...(view ? { requestedNetworkView: view } : {}) },
    endpoints,
    5000,
    gateways,
  ).map((e) => `${e.address}:${e.port} w=${e.weight}`)

describe('split-horizon EDS', () => {
  test.each([
    {
      network: 'network1',
      want: ['10.10.0.5:5000 w=1', '192.168.1.247:15443 w=3'],
    },
    {
      network: 'network2',
      want: [
        '10.20.0.5:5000 w=1',
        '10.20.0.6:5000 w=1',
        '10.20.0.7:5000 w=1',
        '192.168.1.246:15443 w=1',
      ],
    },
  ])(
    'a sidecar in $network sees local pods and one weighted gateway per remote network',
    ({ network, want }) => {
      expect(addresses(network)).toEqual(want)
    },
  )

  test('a gateway with its own network view resolves only to its own pods', () => {
    expect(addresses('network2', [networkId('network2')])).toEqual([
      '10.20.0.5:5000 w=1',
      '10.20.0.6:5000 w=1',
      '10.20.0.7:5000 w=1',
    ])
  })

  test('a network without a gateway is treated as directly reachable', () => {
    const onlyOwn = splitHorizon({ network: networkId('network1') }, endpoints, 5000, [
      gateways[0] as NetworkGateway,
    ])
    expect(onlyOwn.map((e) => e.address)).toEqual([
      '10.10.0.5',
      '10.20.0.5',
      '10.20.0.6',
      '10.20.0.7',
    ])
  })

  test('endpoints without a sidecar do not cross networks', () => {
    const naked = [
      ep('v1', '10.10.0.5', 'cluster1', 'network1'),
      ep('v2', '10.20.0.5', 'cluster2', 'network2', false),
    ]
    expect(
      splitHorizon({ network: networkId('network1') }, naked, 5000, gateways).map((e) => e.address),
    ).toEqual(['10.10.0.5'])
  })

  test('two gateways for one network split its weight and scale local endpoints', () => {
    const two = [...gateways, gw('network2', 'cluster2', '192.168.1.248')]
    const got = splitHorizon({ network: networkId('network1') }, endpoints, 5000, two)
    expect(got.map((e) => `${e.address} w=${e.weight}`)).toEqual([
      '10.10.0.5 w=2',
      '192.168.1.247 w=3',
      '192.168.1.248 w=3',
    ])
  })
})

describe('generated sidecar config', () => {
  const registry = new Registry()
  registry.upsertService({
    cluster: clusterId('cluster1'),
    namespace: namespace('sample'),
    name: 'helloworld',
    host: HOST,
    clusterIP: '10.100.0.4',
    ports: [{ name: 'http', port: 5000, targetPort: 5000, protocol: 'HTTP' }],
  })
  for (const e of endpoints) registry.upsertEndpoint(e)
  for (const g of gateways) registry.upsertGateway(g)
  const snap = buildSnapshot(
    1,
    { trustDomain: trustDomain('cluster.local'), connectTimeoutMs: 10_000 },
    registry,
  )
  const node: ProxyNode = {
    id: 'sidecar~10.10.0.9~sleep-x.sample~sample.svc.cluster.local',
    type: 'sidecar',
    cluster: clusterId('cluster1'),
    network: networkId('network1'),
    namespace: namespace('sample'),
    pod: 'sleep-x',
    ip: '10.10.0.9',
    serviceAccount: serviceAccount('sleep'),
    labels: { app: 'sleep' },
  }
  const config = generate(node, snap, 1)

  test('names the outbound cluster and its SNI the way Istio does', () => {
    expect(config.clusters).toEqual([
      expect.objectContaining({
        name: 'outbound|5000||helloworld.sample.svc.cluster.local',
        tls: {
          sni: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
          subjectAltNames: ['spiffe://cluster.local/ns/sample/sa/default'],
        },
      }),
    ])
  })

  test('routes the short name only within the same namespace, plus FQDN and ClusterIP', () => {
    const domains = config.routes[0]?.virtualHosts[0]?.domains ?? []
    expect(domains).toContain('helloworld')
    expect(domains).toContain('helloworld.sample:5000')
    expect(domains).toContain('10.100.0.4:5000')
    const other = generate({ ...node, namespace: namespace('other') }, snap, 1)
    expect(other.routes[0]?.virtualHosts[0]?.domains).not.toContain('helloworld')
  })

  test('a gateway exposes every .local service port as an exact SNI chain', () => {
    const gwNode: ProxyNode = {
      ...node,
      type: 'router',
      network: networkId('network2'),
      cluster: clusterId('cluster2'),
      labels: { app: 'istio-eastwestgateway', istio: 'eastwestgateway' },
    }
    const gwConfig = generate(gwNode, snap, 1)
    expect(gwConfig.listeners[0]).toMatchObject({
      kind: 'gateway',
      filterChains: [{ serverName: 'outbound_.5000_._.helloworld.sample.svc.cluster.local' }],
    })
    expect(gwConfig.endpoints[0]?.endpoints.map((e) => e.address)).toEqual([
      '10.20.0.5',
      '10.20.0.6',
      '10.20.0.7',
    ])
  })
})
