// IST0118: Service ports whose name selects no protocol, as Istio's PortNameAnalyzer reports them.

import { expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { cluster, located, mesh, port, res, svc } from './fixtures.ts'

test("an unnamed or unprefixed port is Info IST0118, with Istio's text", () => {
  const input = mesh(
    cluster('cluster1', {
      services: [
        svc('sample', 'web', [
          port('web', 80, 8080),
          port('', 81),
          port('http-alt', 82),
          port('mysql', 3306),
        ]),
      ],
    }),
  )
  expect(
    analyze(input).map(
      (m) =>
        `${m.level} ${m.code} ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}: ${m.message}`,
    ),
  ).toEqual([
    "Info IST0118 Service sample/web: Port name  (port: 81, targetPort: 81) doesn't follow the naming convention of Istio port.",
    "Info IST0118 Service sample/web: Port name web (port: 80, targetPort: 8080) doesn't follow the naming convention of Istio port.",
  ])
})

test('well-known TCP ports, UDP and appProtocol select a protocol: no message', () => {
  const input = mesh(
    cluster('cluster1', {
      services: [
        svc('sample', 'db', [
          port('db', 3306),
          { name: 'dns', port: 5353, targetPort: 5353, protocol: 'UDP' },
          { name: 'web', port: 80, targetPort: 80, appProtocol: 'http', protocol: 'HTTP' },
        ]),
      ],
    }),
  )
  expect(analyze(input)).toEqual([])
})

test("Kubernetes' namespaces and Istio's own Services (label istio) are skipped", () => {
  const gateway = res({
    kind: 'Service',
    metadata: { name: 'gw', namespace: 'istio-system', labels: { istio: 'ingressgateway' } },
    spec: { selector: { istio: 'ingressgateway' }, ports: [{ name: 'status', port: 15021 }] },
  })
  const input = mesh(
    cluster('cluster1', {
      resources: located(gateway),
      services: [
        svc('kube-system', 'kube-dns', [port('metrics', 9153)]),
        svc('istio-system', 'gw', [port('status', 15021)]),
      ],
    }),
  )
  expect(analyze(input)).toEqual([])
})
