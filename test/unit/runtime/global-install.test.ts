// The `.global` install as a topology declares it (clusters[].multiclusterGateways): what it
// deploys, the config it preconfigures, the pods' DNS view and search path, and the topology
// mistakes it refuses.

import { describe, expect, test } from 'vitest'
import { ProblemCode } from '../../../src/config/index.ts'
import { ConfigStore } from '../../../src/control-plane/index.ts'
import { namespace, type ServiceEntry } from '../../../src/model/index.ts'
import {
  globalInstallFilters,
  globalInstallResources,
  globalNames,
  globalSearchPath,
  podNames,
} from '../../../src/runtime/global-install.ts'
import { buildInventory } from '../../../src/runtime/index.ts'
import { resolveName } from '../../../src/xds/index.ts'
import { load, problemsOf } from '../../helpers/topologies.ts'

const GLOBAL = `apiVersion: meshsim.dev/v1alpha1
kind: Mesh
metadata:
  name: g
spec:
  istioVersion: "1.4"
  networks:
    - name: network1
  clusters:
    - clusterName: cluster1
      network: network1
      podCIDR: 10.10.0.0/16
      serviceCIDR: 10.100.0.0/16
      multiclusterGateways:
        ingressGateway: { address: 192.168.1.246 }
        egressGateway: { clusterIP: 10.100.0.250 }
      workloads:
        - { app: sleep, namespace: foo, sample: sleep }
        - { app: httpbin, namespace: bar, sample: httpbin, replicas: 0 }
`

const spec = load(GLOBAL)
const [c1] = spec.clusters
if (!c1) throw new Error('no cluster')

describe('what the install deploys and preconfigures', () => {
  test('ingress and egress gateways and istiocoredns run in istio-system; the egress ClusterIP is fixed', () => {
    const [inv] = buildInventory(spec)
    expect(inv?.pods.map((p) => `${p.namespace}/${p.app}`)).toEqual([
      'istio-system/istio-pilot',
      'istio-system/istio-ingressgateway',
      'istio-system/istio-egressgateway',
      'istio-system/istiocoredns',
      'foo/sleep',
    ])
    expect(inv?.services.find((s) => s.name === 'istio-egressgateway')?.clusterIP).toBe(
      '10.100.0.250',
    )
    const ips = inv?.services.map((s) => s.clusterIP) ?? []
    expect(new Set(ips).size).toBe(ips.length)
  })

  test('Gateways for *.global on 15443 at both gateways, and the *.global ISTIO_MUTUAL rule', () => {
    const resources = globalInstallResources(c1, spec.istioVersion)
    expect(resources.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      'Gateway istio-system/istio-multicluster-ingressgateway',
      'Gateway istio-system/istio-multicluster-egressgateway',
      'DestinationRule istio-system/istio-multicluster-destinationrule',
    ])
    const rule = resources[2]
    if (rule?.kind !== 'DestinationRule') throw new Error('expected the DestinationRule')
    expect(rule.spec).toEqual({
      host: '*.global',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    })
    // The rule was renamed in 1.7.
    expect(globalInstallResources(c1, { major: 1, minor: 7 })[2]?.metadata.name).toBe(
      'istio-multicluster-ingressgateway',
    )
  })

  test('the EnvoyFilter rewrites .global to .svc.cluster.local on the ingress gateway only', () => {
    expect(globalInstallFilters(c1)).toEqual([
      expect.objectContaining({
        workloadSelector: { istio: 'ingressgateway' },
        portNumber: 15443,
        clusterPattern: '\\.global$',
        clusterReplacement: '.svc.cluster.local',
      }),
    ])
  })

  test('a cluster without the install gets none of it', () => {
    const plain = { ...c1, multiclusterGateways: undefined } as typeof c1
    expect(globalInstallResources(plain, spec.istioVersion)).toEqual([])
    expect(globalInstallFilters(plain)).toEqual([])
  })
})

describe("a pod's DNS", () => {
  const se: ServiceEntry = {
    kind: 'ServiceEntry',
    metadata: { name: 'httpbin-bar', namespace: namespace('foo') },
    spec: {
      hosts: ['httpbin.bar.global', 'api.example.com'],
      resolution: 'DNS',
      addresses: ['240.0.0.2'],
    },
  }
  const kube = {
    records: new Map([
      ['sleep.foo.svc.cluster.local', ['10.100.0.7']],
      ['httpbin.bar.svc.cluster.local', ['10.100.0.8']],
    ]),
  }
  const names = podNames(kube, globalNames(new ConfigStore([se])))
  const search = globalSearchPath(namespace('foo'))

  test('searches global and <ns>.global after the cluster domains', () => {
    expect(search).toEqual([
      'foo.svc.cluster.local',
      'svc.cluster.local',
      'cluster.local',
      'global',
      'foo.global',
    ])
  })

  test('sees .global names, but not entry hosts outside the stubbed zone', () => {
    expect(resolveName(names, 'httpbin.bar.global', search)?.addresses).toEqual(['240.0.0.2'])
    expect(resolveName(names, 'api.example.com', search)).toBeUndefined()
  })

  test('resolves a short name to .global only when no local Service matches first', () => {
    const without = podNames({ records: new Map() }, globalNames(new ConfigStore([se])))
    expect(resolveName(without, 'httpbin.bar', search)?.fqdn).toBe('httpbin.bar.global')
    expect(resolveName(names, 'httpbin.bar', search)?.fqdn).toBe('httpbin.bar.svc.cluster.local')
  })
})

describe('topology checks', () => {
  const codes = (text: string) => problemsOf(text).map((p) => `${p.code} ${p.path}`)

  test('the install belongs to Istio 1.1 to 1.8', () => {
    expect(codes(GLOBAL.replace('istioVersion: "1.4"', 'istioVersion: "1.9"'))).toEqual([
      `${ProblemCode.BadValue} spec.clusters[0].multiclusterGateways`,
    ])
  })

  test("the egress ClusterIP lies in the cluster's serviceCIDR, the ingress address outside all ranges", () => {
    const text = GLOBAL.replace('10.100.0.250', '10.200.0.250').replace(
      '192.168.1.246',
      '10.10.9.9',
    )
    expect(codes(text)).toEqual([
      `${ProblemCode.BadValue} spec.clusters[0].multiclusterGateways.ingressGateway.address`,
      `${ProblemCode.OutsideCidr} spec.clusters[0].multiclusterGateways.egressGateway.clusterIP`,
    ])
  })

  test('an east-west gateway that is also istio-ingressgateway would be deployed twice', () => {
    const text = GLOBAL.replace(
      '      multiclusterGateways:',
      '      eastWestGateway: { address: 192.168.1.247, deployment: istio-ingressgateway }\n      multiclusterGateways:',
    )
    expect(codes(text)).toEqual([
      `${ProblemCode.Conflict} spec.clusters[0].multiclusterGateways.ingressGateway`,
    ])
  })

  test('the egress ClusterIP is not taken by a workload', () => {
    const text = GLOBAL.replace('sample: sleep }', 'sample: sleep, clusterIP: 10.100.0.250 }')
    expect(codes(text)).toEqual([
      `${ProblemCode.Duplicate} spec.clusters[0].multiclusterGateways.egressGateway.clusterIP`,
    ])
  })
})
