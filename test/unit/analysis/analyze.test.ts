// What analyze() does with the analyzers' findings, as istioctl does: the namespace filter, the
// suppress annotation, Istio's order (cluster, level, code, resource), duplicates removed, and
// origins that point at the field at fault.

import { describe, expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { clusterId } from '../../../src/model/index.ts'
import { cluster, dr, HELLO_V1, located, mesh, port, res, routeTo, svc, vs } from './fixtures.ts'

const brokenRoute = (name: string, namespace = 'sample') =>
  vs({ hosts: ['helloworld'], ...routeTo({ host: 'missing' }) }, name, namespace)

describe('order and duplicates', () => {
  test('by cluster, then level (Error first), code, and kind/name/namespace', () => {
    const resources = located(
      brokenRoute('b'),
      brokenRoute('a', 'foo'),
      dr({ host: 'helloworld', subsets: [{ name: 'v9', labels: { version: 'v9' } }] }),
      dr({ host: 'nowhere' }, 'nowhere'),
    )
    const input = mesh(
      cluster('cluster2', { ...HELLO_V1, resources }),
      cluster('cluster1', { services: [svc('sample', 'web', [port('web', 80)])] }),
    )
    expect(
      analyze(input).map(
        (m) =>
          `${m.resource.cluster} ${m.level} ${m.code} ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}`,
      ),
    ).toEqual([
      'cluster1 Info IST0118 Service sample/web',
      'cluster2 Error IST0101 VirtualService foo/a',
      'cluster2 Error IST0101 VirtualService sample/b',
      'cluster2 Error IST0173 DestinationRule sample/helloworld',
      'cluster2 Warning IST0174 DestinationRule sample/nowhere',
    ])
  })

  test('the same message on the same resource is reported once', () => {
    const twice = vs({
      hosts: ['helloworld'],
      http: [{ route: [{ destination: { host: 'missing' } }] }],
      tcp: [{ route: [{ destination: { host: 'missing' } }] }],
    })
    expect(analyze(mesh(cluster('cluster1', { resources: located(twice) })))).toHaveLength(1)
  })
})

describe('namespace scope', () => {
  const input = {
    clusters: [
      cluster('cluster1', {
        resources: located(
          brokenRoute('a'),
          brokenRoute('b', 'foo'),
          res({ kind: 'Namespace', metadata: { name: 'foo' } }),
        ),
      }),
    ],
    meshNetworks: {
      networks: { network1: { endpoints: [{ fromRegistry: clusterId('nope') }], gateways: [] } },
    },
  }
  const scoped = (namespace?: string) =>
    analyze(input, namespace === undefined ? {} : { namespace }).map(
      (m) => `${m.code} ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}`,
    )

  test('every namespace by default (resources ordered by name before namespace, as Istio does)', () => {
    expect(scoped()).toEqual([
      'IST0101 VirtualService sample/a',
      'IST0101 VirtualService foo/b',
      'IST0126 MeshNetworks istio-system/meshnetworks',
      'IST0102 Namespace /foo',
    ])
  })

  test('one namespace: its resources, and a Namespace is filed under its own name', () => {
    expect(scoped('foo')).toEqual(['IST0101 VirtualService foo/b', 'IST0102 Namespace /foo'])
    expect(scoped('istio-system')).toEqual(['IST0126 MeshNetworks istio-system/meshnetworks'])
  })
})

test('galley.istio.io/analyze-suppress on a resource silences the codes it lists', () => {
  const quiet = (annotation: string) =>
    res({
      kind: 'VirtualService',
      metadata: {
        name: 'q',
        namespace: 'sample',
        annotations: { 'galley.istio.io/analyze-suppress': annotation },
      },
      spec: { hosts: ['helloworld'], ...routeTo({ host: 'missing' }) },
    })
  expect(
    analyze(mesh(cluster('cluster1', { resources: located(quiet('IST0132,IST0101')) }))),
  ).toEqual([])
  expect(analyze(mesh(cluster('cluster1', { resources: located(quiet('*')) })))).toEqual([])
  expect(analyze(mesh(cluster('cluster1', { resources: located(quiet('IST0132')) })))).toHaveLength(
    1,
  )
})

test('origin is FILE:LINE:COL of the field at fault, else of the resource', () => {
  const origin = {
    file: 'mesh.yaml',
    line: 20,
    col: 11,
    fields: { 'spec.http[0].route[0].destination.host': { line: 28, col: 29 } },
  }
  const input = mesh(
    cluster('cluster1', {
      ...HELLO_V1,
      resources: [
        { resource: brokenRoute('a'), origin },
        {
          resource: dr({
            host: 'helloworld',
            subsets: [{ name: 'v9', labels: { version: 'v9' } }],
          }),
          origin,
        },
      ],
    }),
  )
  expect(analyze(input).map((m) => `${m.code} ${m.origin}`)).toEqual([
    'IST0101 mesh.yaml:28:29',
    'IST0173 mesh.yaml:20:11',
  ])
})
