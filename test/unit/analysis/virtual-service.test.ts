// IST0101 and IST0132 on VirtualServices: destination hosts (and ports) that exist for the
// cluster's istiod, subsets some DestinationRule defines, gateways that exist and serve the host.

import { describe, expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import { cluster, dr, HELLO_V1, located, mesh, res, routeTo, svc, vs } from './fixtures.ts'

const V1_RULE = dr({ host: 'helloworld', subsets: [{ name: 'v1', labels: { version: 'v1' } }] })

function lines(...resources: Parameters<typeof located>) {
  const input = mesh(cluster('cluster1', { ...HELLO_V1, resources: located(...resources) }))
  return analyze(input).map(
    (m) => `${m.code} ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}: ${m.message}`,
  )
}

describe('destination hosts (IST0101 host, host:port)', () => {
  test('a host no Service or ServiceEntry defines is "Referenced host not found"', () => {
    expect(lines(vs({ hosts: ['helloworld'], ...routeTo({ host: 'hellowrld' }) }))).toEqual([
      'IST0101 VirtualService sample/helloworld: Referenced host not found: "hellowrld"',
    ])
  })

  test('short names, <name>.<ns>.svc.cluster.local and tcp/tls routes all resolve', () => {
    const ok = vs({
      hosts: ['helloworld'],
      http: [{ route: [{ destination: { host: 'helloworld' } }] }],
      tcp: [{ route: [{ destination: { host: 'sleep.sample.svc.cluster.local' } }] }],
    })
    expect(lines(ok)).toEqual([])
  })

  test('`helloworld.sample` is not a Service name: Istio qualifies only names without dots', () => {
    expect(lines(vs({ hosts: ['helloworld'], ...routeTo({ host: 'helloworld.sample' }) }))).toEqual(
      ['IST0101 VirtualService sample/helloworld: Referenced host not found: "helloworld.sample"'],
    )
  })

  test('a short name in another namespace is looked up in the VirtualService namespace', () => {
    const other = vs({ hosts: ['helloworld'], ...routeTo({ host: 'helloworld' }) }, 'hw', 'foo')
    expect(lines(other)).toEqual([
      'IST0101 VirtualService foo/hw: Referenced host not found: "helloworld"',
    ])
  })

  test('a port the Service does not expose is "Referenced host:port not found"', () => {
    const wrongPort = vs({
      hosts: ['helloworld'],
      ...routeTo({ host: 'helloworld', port: { number: 80 } }),
    })
    expect(lines(wrongPort)).toEqual([
      'IST0101 VirtualService sample/helloworld: Referenced host:port not found: "helloworld:80"',
    ])
  })

  test('ServiceEntry hosts count, wildcards by suffix, within their exportTo', () => {
    const se = res({
      kind: 'ServiceEntry',
      metadata: { name: 'ext', namespace: 'sample' },
      spec: {
        hosts: ['*.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'NONE',
        exportTo: ['.'],
      },
    })
    const here = vs({ hosts: ['api.example.com'], ...routeTo({ host: 'api.example.com' }) }, 'ext')
    const there = vs(
      { hosts: ['api.example.com'], ...routeTo({ host: 'api.example.com' }) },
      'ext',
      'foo',
    )
    expect(lines(se, here, there)).toEqual([
      'IST0101 VirtualService foo/ext: Referenced host not found: "api.example.com"',
    ])
  })

  test('a Service that exists only in a cluster the istiod discovers counts; one it does not, not', () => {
    const route = vs({
      hosts: ['httpbin'],
      ...routeTo({ host: 'httpbin', port: { number: 8000 } }),
    })
    const c2 = cluster('cluster2', {
      services: [
        svc('sample', 'httpbin', [
          { name: 'http', port: 8000, targetPort: 8080, protocol: 'HTTP' },
        ]),
      ],
    })
    const withSecret = mesh(
      cluster('cluster1', { discovers: ['cluster1', 'cluster2'], resources: located(route) }),
      c2,
    )
    const without = mesh(cluster('cluster1', { resources: located(route) }), c2)
    expect(analyze(withSecret, { clusters: ['cluster1'] })).toEqual([])
    expect(analyze(without, { clusters: ['cluster1'] }).map((m) => m.message)).toEqual([
      'Referenced host not found: "httpbin"',
    ])
  })
})

describe('subsets (IST0101 host+subset in destinationrule)', () => {
  test('a subset no DestinationRule defines for the host is reported with host+subset as written', () => {
    const route = vs({ hosts: ['helloworld'], ...routeTo({ host: 'helloworld', subset: 'v3' }) })
    expect(lines(V1_RULE, route)).toEqual([
      'IST0101 VirtualService sample/helloworld: Referenced host+subset in destinationrule not found: "helloworld+v3"',
    ])
  })

  test('short and fully qualified names of one host match each other', () => {
    const route = vs({
      hosts: ['helloworld'],
      ...routeTo({ host: 'helloworld.sample.svc.cluster.local', subset: 'v1' }),
    })
    expect(lines(V1_RULE, route)).toEqual([])
  })

  test('a rule for another host does not define the subset', () => {
    const sleepRule = dr(
      { host: 'sleep', subsets: [{ name: 'v1', labels: { app: 'sleep' } }] },
      'sleep',
    )
    const route = vs({ hosts: ['helloworld'], ...routeTo({ host: 'helloworld', subset: 'v1' }) })
    expect(lines(sleepRule, route)).toEqual([
      'IST0101 VirtualService sample/helloworld: Referenced host+subset in destinationrule not found: "helloworld+v1"',
    ])
  })
})

describe('gateways (IST0101 gateway, IST0132)', () => {
  const gateway = (hosts: string[], namespace = 'sample') =>
    res({
      kind: 'Gateway',
      metadata: { name: 'hello-gw', namespace },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }],
      },
    })
  const bound = (gateways: string[], hosts = ['hello.example.com']) =>
    vs({ hosts, gateways, ...routeTo({ host: 'helloworld' }) })

  test('a missing gateway is reported twice, as Istio does: not found, and host not in it', () => {
    expect(lines(bound(['mesh', 'hello-gw']))).toEqual([
      'IST0101 VirtualService sample/helloworld: Referenced gateway not found: "hello-gw"',
      'IST0132 VirtualService sample/helloworld: one or more host [hello.example.com] defined in VirtualService sample/helloworld not found in Gateway sample/hello-gw.',
    ])
  })

  test('a gateway whose servers do not cover any VirtualService host is IST0132', () => {
    expect(
      lines(
        gateway(['other.example.com']),
        bound(['hello-gw'], ['hello.example.com', 'helloworld']),
      ),
    ).toEqual([
      'IST0132 VirtualService sample/helloworld: one or more host [hello.example.com helloworld] defined in VirtualService sample/helloworld not found in Gateway sample/hello-gw.',
    ])
  })

  test('wildcards and namespace-qualified server hosts are honoured', () => {
    expect(lines(gateway(['*.example.com']), bound(['hello-gw']))).toEqual([])
    expect(
      lines(
        gateway(['sample/hello.example.com'], 'istio-system'),
        bound(['istio-system/hello-gw']),
      ),
    ).toEqual([])
    expect(
      lines(gateway(['foo/hello.example.com'], 'istio-system'), bound(['istio-system/hello-gw'])),
    ).toEqual([
      'IST0132 VirtualService sample/helloworld: one or more host [hello.example.com] defined in VirtualService sample/helloworld not found in Gateway istio-system/hello-gw.',
    ])
  })
})
