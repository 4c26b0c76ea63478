import { describe, expect, test } from 'vitest'
import { ProblemCode, parseResources } from '../../../src/config/index.ts'
import { posOf, where } from '../../helpers/topologies.ts'

const object = (kind: string, spec: string) =>
  `apiVersion: networking.istio.io/v1
kind: ${kind}
metadata:
  name: helloworld
  namespace: sample
spec:
${spec}`

const parse = (text: string) => parseResources(text, { file: 'r.yaml' })

/** Parses text that must be accepted; returns its warnings. */
function warningsOf(text: string) {
  const r = parse(text)
  expect(r.problems).toEqual([])
  return r.warnings
}

const ROUTE = `  http:
  - route:
    - destination: {host: helloworld}
`

describe('what Istio accepts but ignores is a warning, and the resource is kept', () => {
  test('a VirtualService bound only to gateways is the usual way to configure them: no warning', () => {
    const text = object(
      'VirtualService',
      `  hosts: [hello.example.com]\n  gateways: [sample/hello-gateway]\n${ROUTE}`,
    )
    expect(warningsOf(text)).toEqual([])
  })

  test('listing "mesh" among the gateways applies it to sidecars too, without warning', () => {
    const text = object(
      'VirtualService',
      `  hosts: [hello.example.com]\n  gateways: [sample/hello-gateway, mesh]\n${ROUTE}`,
    )
    expect(warningsOf(text)).toEqual([])
  })

  test('exportTo other than "*" is not modelled yet', () => {
    const text = object('VirtualService', `  hosts: [helloworld]\n  exportTo: ["."]\n${ROUTE}`)
    expect(where(warningsOf(text))).toEqual([
      `${posOf(text, 'exportTo')} ${ProblemCode.NotEmulated}`,
    ])
    expect(
      warningsOf(object('VirtualService', `  hosts: [helloworld]\n  exportTo: ["*"]\n${ROUTE}`)),
    ).toEqual([])
  })

  test('fault injection, retries and timeouts are accepted and said to be not emulated', () => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - fault:
      delay: {fixedDelay: 7s, percentage: {value: 100}}
    retries: {attempts: 3, perTryTimeout: 2s}
    timeout: 10s
    route:
    - destination: {host: helloworld}
`,
    )
    const warnings = warningsOf(text)
    expect(where(warnings)).toEqual([
      `${posOf(text, 'fault')} ${ProblemCode.NotEmulated}`,
      `${posOf(text, 'retries')} ${ProblemCode.NotEmulated}`,
      `${posOf(text, 'timeout')} ${ProblemCode.NotEmulated}`,
    ])
    expect(warnings[0]?.message).toBe(
      'VirtualService sample/helloworld: meshsim accepts fault injection but does not emulate it yet; it has no effect here',
    )
  })

  test('an upper-case header name is matched as lower case, as Envoy does', () => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - match:
    - headers: {End-User: {exact: jason}}
    route:
    - destination: {host: helloworld, subset: v2}
`,
    )
    const r = parse(text)
    expect(where(r.warnings)).toEqual([`${posOf(text, 'End-User')} ${ProblemCode.Ignored}`])
    const vs = r.resources[0]
    if (vs?.kind !== 'VirtualService') throw new Error('expected a VirtualService')
    expect(vs.spec.http?.[0]?.match?.[0]?.headers).toEqual({ 'end-user': { exact: 'jason' } })
  })

  test('a header match named uri is ignored by Istio', () => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - match:
    - headers: {uri: {prefix: /api}}
    route:
    - destination: {host: helloworld}
`,
    )
    expect(where(warningsOf(text))).toEqual([`${posOf(text, 'uri')} ${ProblemCode.Ignored}`])
  })

  test('withoutHeaders regex "*" means "present", not a regex', () => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - match:
    - withoutHeaders: {x-canary: {regex: "*"}}
    route:
    - destination: {host: helloworld}
`,
    )
    const r = parse(text)
    expect(r.problems).toEqual([])
    const vs = r.resources[0]
    if (vs?.kind !== 'VirtualService') throw new Error('expected a VirtualService')
    expect(vs.spec.http?.[0]?.match?.[0]?.withoutHeaders).toEqual({ 'x-canary': {} })
  })

  test('a rule after a match-all rule is never used', () => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - route:
    - destination: {host: helloworld, subset: v1}
  - name: canary
    match:
    - headers: {end-user: {exact: jason}}
    route:
    - destination: {host: helloworld, subset: v2}
`,
    )
    const [w] = warningsOf(text)
    expect(w).toMatchObject({ code: ProblemCode.IstioWarning, path: 'spec.http[1]' })
    expect(w?.message).toContain('rule "canary" is never used')
  })

  test('locality failover without outlier detection has no effect', () => {
    const text = object(
      'DestinationRule',
      `  host: helloworld
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover: [{from: us-east, to: us-west}]
`,
    )
    const [w] = warningsOf(text)
    expect(w?.code).toBe(ProblemCode.IstioWarning)
    expect(w?.message).toContain('outlierDetection')
  })

  test('connection pools are accepted and not emulated', () => {
    const text = object(
      'DestinationRule',
      '  host: helloworld\n  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 1}}\n',
    )
    expect(where(warningsOf(text))).toEqual([
      `${posOf(text, 'connectionPool')} ${ProblemCode.NotEmulated}`,
    ])
  })

  test('a partial wildcard host in a ServiceEntry matches nothing as a wildcard', () => {
    const text = object(
      'ServiceEntry',
      '  hosts: ["*bar.example.com"]\n  ports: [{name: http, number: 80, protocol: HTTP}]\n',
    )
    expect(where(warningsOf(text))).toEqual([`${posOf(text, '"*bar')} ${ProblemCode.IstioWarning}`])
  })

  test('certificates on a PASSTHROUGH server are ignored', () => {
    const text = object(
      'Gateway',
      `  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    tls: {mode: PASSTHROUGH, credentialName: hello-cert}
    hosts: [hello.example.com]
`,
    )
    expect(warningsOf(text).map((w) => w.code)).toEqual([
      ProblemCode.Ignored,
      ProblemCode.NotEmulated,
    ])
  })
})

describe('valid Istio that meshsim cannot honour without changing routing is refused', () => {
  test.each([
    ['method: {exact: POST}', 'method'],
    ['queryParams: {v: {exact: "2"}}', 'queryParams'],
    ['authority: {prefix: hello}', 'authority'],
  ])('a match on %s', (condition, field) => {
    const text = object(
      'VirtualService',
      `  hosts: [helloworld]
  http:
  - match:
    - ${condition}
    route:
    - destination: {host: helloworld}
`,
    )
    const r = parse(text)
    expect(where(r.problems)).toEqual([`${posOf(text, field)} ${ProblemCode.UnsupportedField}`])
    expect(r.problems[0]?.message).toContain(`meshsim does not support matching on ${field} yet`)
  })

  test('a redirect, which would leave the route without an action', () => {
    const text = object(
      'VirtualService',
      '  hosts: [helloworld]\n  http:\n  - redirect: {uri: /v1/hello}\n',
    )
    expect(where(parse(text).problems)).toEqual([
      `${posOf(text, 'redirect')} ${ProblemCode.UnsupportedField}`,
    ])
  })
})
