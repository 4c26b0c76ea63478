// IST0173 and IST0174 on DestinationRules: the host is a service the istiod knows, and every
// subset selects at least one of its instances in the clusters that istiod discovers.

import { describe, expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { cluster, dr, HELLO_V1, located, mesh, pod, res, svc } from './fixtures.ts'

const SUBSETS = {
  host: 'helloworld',
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
}

const CLUSTER2 = cluster('cluster2', {
  services: [svc('sample', 'helloworld')],
  pods: [pod('sample', { app: 'helloworld', version: 'v2' })],
})

describe('subsets that select no pods (IST0173)', () => {
  test("Istio's text, on the DestinationRule", () => {
    const input = mesh(cluster('cluster1', { ...HELLO_V1, resources: located(dr(SUBSETS)) }))
    expect(analyze(input)).toEqual([
      {
        level: 'Error',
        code: 'IST0173',
        resource: {
          kind: 'DestinationRule',
          namespace: 'sample',
          name: 'helloworld',
          cluster: 'cluster1',
        },
        message:
          'The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
        documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0173/',
      },
    ])
  })

  test('pods of a cluster the istiod discovers (a remote secret) count', () => {
    const c1 = cluster('cluster1', {
      ...HELLO_V1,
      discovers: ['cluster1', 'cluster2'],
      resources: located(dr(SUBSETS)),
    })
    expect(analyze(mesh(c1, CLUSTER2))).toEqual([])
  })

  test("without the remote secret, cluster2's v2 pods are out of sight: 503 UH in cluster1", () => {
    const c1 = cluster('cluster1', { ...HELLO_V1, resources: located(dr(SUBSETS)) })
    expect(analyze(mesh(c1, CLUSTER2)).map((m) => `${m.resource.cluster} ${m.message}`)).toEqual([
      'cluster1 The Subset v2 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
    ])
  })

  test("only the host's own pods count, not another app's with the same labels", () => {
    const c1 = cluster('cluster1', {
      ...HELLO_V1,
      pods: [...HELLO_V1.pods, pod('sample', { app: 'sleep', version: 'v2' })],
      resources: located(dr(SUBSETS)),
    })
    expect(analyze(mesh(c1)).map((m) => m.code)).toEqual(['IST0173'])
  })

  test('a ServiceEntry endpoint with the labels is an instance', () => {
    const se = res({
      kind: 'ServiceEntry',
      metadata: { name: 'hw-global', namespace: 'sample' },
      spec: {
        hosts: ['helloworld.sample.global'],
        location: 'MESH_INTERNAL',
        ports: [{ number: 5000, name: 'http1', protocol: 'http' }],
        resolution: 'DNS',
        addresses: ['240.0.0.3'],
        endpoints: [
          { address: '192.168.2.246', labels: { cluster: 'cluster2' }, ports: { http1: 15443 } },
        ],
      },
    })
    const rule = dr(
      {
        host: 'helloworld.sample.global',
        subsets: [{ name: 'v2', labels: { cluster: 'cluster2' } }],
      },
      'hw-global',
    )
    expect(analyze(mesh(cluster('cluster1', { resources: located(se, rule) })))).toEqual([])
  })
})

describe('hosts that match no service (IST0174)', () => {
  test('a Warning with the host as written; its subsets are not checked', () => {
    const input = mesh(
      cluster('cluster1', {
        ...HELLO_V1,
        resources: located(dr({ ...SUBSETS, host: 'hellowrld' })),
      }),
    )
    expect(analyze(input).map((m) => `${m.level} ${m.code} ${m.message}`)).toEqual([
      'Warning IST0174 The host hellowrld defined in the DestinationRule does not match any services in the mesh.',
    ])
  })

  test('a wildcard rule (the *.global install rule, *.local) is policy, not a reference', () => {
    const wildcard = dr(
      { host: '*.global', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
      'global',
      'istio-system',
    )
    expect(analyze(mesh(cluster('cluster1', { resources: located(wildcard) })))).toEqual([])
  })
})
