// IST0170: one Service defined with different ports in the clusters it exists in.

import { expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { cluster, mesh, port, svc } from './fixtures.ts'

const input = mesh(
  cluster('cluster1', { services: [svc('sample', 'helloworld', [port('http', 5000)])] }),
  cluster('cluster2', { services: [svc('sample', 'helloworld', [port('http', 5001)])] }),
  cluster('cluster3', { services: [svc('sample', 'helloworld', [port('http', 5000)])] }),
)

test("ports that differ are a Warning naming the clusters that disagree, with Istio's text", () => {
  expect(analyze(input)).toEqual([
    {
      level: 'Warning',
      code: 'IST0170',
      resource: { kind: 'Service', namespace: 'sample', name: 'helloworld', cluster: 'cluster1' },
      message:
        'The service helloworld in namespace "sample" is inconsistent across clusters ["cluster1" "cluster2"], which can lead to undefined behaviors. The inconsistent behaviors are: service ports are inconsistent.',
      documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0170/',
    },
  ])
})

test('analyzing one cluster puts the message on that cluster, if it is one that disagrees', () => {
  expect(analyze(input, { clusters: ['cluster2'] }).map((m) => m.resource.cluster)).toEqual([
    'cluster2',
  ])
  expect(analyze(input, { clusters: ['cluster3'] })).toEqual([])
})

test('the same ports in another order are consistent', () => {
  const same = mesh(
    cluster('cluster1', { services: [svc('sample', 'web', [port('http', 80), port('grpc', 90)])] }),
    cluster('cluster2', { services: [svc('sample', 'web', [port('grpc', 90), port('http', 80)])] }),
  )
  expect(analyze(same)).toEqual([])
})
