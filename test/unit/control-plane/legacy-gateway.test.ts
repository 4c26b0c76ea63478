// What a 1.4-era istiod pushes to gateways (istio-semantics §2.5): AUTO_PASSTHROUGH is one chain
// per Gateway host whose cluster is the SNI, SNI-named clusters exist for every mesh service
// port and subset, and the `.global` install's EnvoyFilter adds the rewrite at the ingress
// gateway only. From 1.10 the exact-SNI chains come back.

import { describe, expect, test } from 'vitest'
import {
  buildSnapshot,
  generate,
  istioConfigOf,
  Registry,
} from '../../../src/control-plane/index.ts'
import type {
  ClusterRewriteFilter,
  DestinationRule,
  Gateway,
  IstioVersion,
} from '../../../src/model/index.ts'
import {
  clusterId,
  namespace,
  networkId,
  serviceAccount,
  serviceHost,
  trustDomain,
} from '../../../src/model/index.ts'
import type { ProxyNode } from '../../../src/xds/index.ts'

const SYSTEM = namespace('istio-system')
const BAR = namespace('bar')
const HOST = serviceHost('httpbin.bar.svc.cluster.local')

const globalGateway = (name: string, istio: string): Gateway => ({
  kind: 'Gateway',
  metadata: { name, namespace: SYSTEM },
  spec: {
    selector: { istio },
    servers: [
      {
        port: { number: 15443, name: 'tls', protocol: 'TLS' },
        tls: { mode: 'AUTO_PASSTHROUGH' },
        hosts: ['*.global'],
      },
    ],
  },
})

const rewrite: ClusterRewriteFilter = {
  kind: 'EnvoyFilter',
  metadata: { name: 'istio-multicluster-ingressgateway', namespace: SYSTEM },
  workloadSelector: { istio: 'ingressgateway' },
  portNumber: 15443,
  clusterPattern: '\\.global$',
  clusterReplacement: '.svc.cluster.local',
}

const versions: DestinationRule = {
  kind: 'DestinationRule',
  metadata: { name: 'httpbin', namespace: BAR },
  spec: { host: 'httpbin', subsets: [{ name: 'v2', labels: { version: 'v2' } }] },
}

function snapshot(istioVersion: IstioVersion) {
  const registry = new Registry()
  registry.upsertService({
    cluster: clusterId('cluster2'),
    namespace: BAR,
    name: 'httpbin',
    host: HOST,
    clusterIP: '10.200.0.5',
    ports: [{ name: 'http', port: 8000, targetPort: 8080, protocol: 'HTTP' }],
  })
  for (const [pod, ip, version] of [
    ['httpbin-v1', '10.20.0.6', 'v1'],
    ['httpbin-v2', '10.20.0.7', 'v2'],
  ] as const) {
    registry.upsertEndpoint({
      host: HOST,
      cluster: clusterId('cluster2'),
      network: networkId('network2'),
      pod,
      namespace: BAR,
      ip,
      serviceAccount: serviceAccount('httpbin'),
      labels: { app: 'httpbin', version },
      locality: '',
      tlsMode: 'istio',
    })
  }
  const config = istioConfigOf(
    [
      globalGateway('istio-multicluster-ingressgateway', 'ingressgateway'),
      globalGateway('istio-multicluster-egressgateway', 'egressgateway'),
      versions,
    ],
    [rewrite],
  )
  return buildSnapshot(
    1,
    { trustDomain: trustDomain('cluster.local'), connectTimeoutMs: 10_000, istioVersion },
    registry,
    config,
  )
}

const router = (app: string, istio: string): ProxyNode => ({
  id: `router~10.20.0.3~${app}-x.istio-system~istio-system.svc.cluster.local`,
  type: 'router',
  cluster: clusterId('cluster2'),
  network: networkId('network2'),
  namespace: SYSTEM,
  pod: `${app}-x`,
  ip: '10.20.0.3',
  serviceAccount: serviceAccount(`${app}-service-account`),
  labels: { app, istio },
})
const ingress = router('istio-ingressgateway', 'ingressgateway')
const egress = router('istio-egressgateway', 'egressgateway')
const eastWest = router('istio-eastwestgateway', 'eastwestgateway')

describe('Istio 1.4', () => {
  const snap = snapshot({ major: 1, minor: 4 })

  test('the ingress gateway has one *.global chain: any ALPN, cluster from the SNI, rewritten', () => {
    expect(generate(ingress, snap, 1).listeners).toEqual([
      {
        kind: 'gateway',
        name: '0.0.0.0_15443',
        port: 15443,
        filterChains: [
          {
            serverName: '*.global',
            applicationProtocols: [],
            cluster: '',
            sniCluster: { rewrite: { pattern: '\\.global$', replacement: '.svc.cluster.local' } },
          },
        ],
      },
    ])
  })

  test('it has SNI-named clusters of every service port and subset, on the pods of each', () => {
    const config = generate(ingress, snap, 1)
    expect(config.clusters.map((c) => [c.name, c.protocol, c.tls])).toEqual([
      ['outbound_.8000_._.httpbin.bar.svc.cluster.local', 'TCP', undefined],
      ['outbound_.8000_.v2_.httpbin.bar.svc.cluster.local', 'TCP', undefined],
    ])
    expect(
      config.endpoints.map((a) => [
        a.clusterName,
        a.endpoints.map((e) => `${e.address}:${e.port}`),
      ]),
    ).toEqual([
      ['outbound_.8000_._.httpbin.bar.svc.cluster.local', ['10.20.0.6:8080', '10.20.0.7:8080']],
      ['outbound_.8000_.v2_.httpbin.bar.svc.cluster.local', ['10.20.0.7:8080']],
    ])
  })

  test('the egress gateway gets the same chain without the rewrite', () => {
    const [listener] = generate(egress, snap, 1).listeners
    expect(listener?.kind === 'gateway' && listener.filterChains).toEqual([
      { serverName: '*.global', applicationProtocols: [], cluster: '', sniCluster: {} },
    ])
  })

  test('an east-west gateway keeps its implicit *.local Gateway, as a legacy chain', () => {
    const [listener] = generate(eastWest, snap, 1).listeners
    expect(listener?.kind === 'gateway' && listener.filterChains).toEqual([
      { serverName: '*.local', applicationProtocols: [], cluster: '', sniCluster: {} },
    ])
  })
})

test('from 1.10 AUTO_PASSTHROUGH is exact SNI per service port, so *.global matches no Service', () => {
  const snap = snapshot({ major: 1, minor: 10 })
  expect(generate(ingress, snap, 1).listeners).toEqual([])
  const [listener] = generate(eastWest, snap, 1).listeners
  expect(listener?.kind === 'gateway' && listener.filterChains.map((c) => c.serverName)).toEqual([
    'outbound_.8000_._.httpbin.bar.svc.cluster.local',
    'outbound_.8000_.v2_.httpbin.bar.svc.cluster.local',
  ])
})
