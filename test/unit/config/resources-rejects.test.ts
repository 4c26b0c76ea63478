import { describe, expect, test } from 'vitest'
import { formatProblem, ProblemCode, parseResources } from '../../../src/config/index.ts'
import { posOf, where } from '../../helpers/topologies.ts'

const object = (kind: string, name: string, spec: string) =>
  `apiVersion: networking.istio.io/v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: sample
spec:
${spec}`
const vs = (spec: string) => object('VirtualService', 'helloworld', spec)
const dr = (spec: string) => object('DestinationRule', 'helloworld', spec)
const se = (spec: string) => object('ServiceEntry', 'httpbin-bar', spec)
const gw = (spec: string, name = 'cross-network-gateway') => object('Gateway', name, spec)

const problemsOf = (text: string) => parseResources(text, { file: 'r.yaml' }).problems

interface Case {
  readonly rule: string
  readonly text: string
  /** Where the problem is reported: the first occurrence of this text (plus skip characters). */
  readonly at: string
  readonly skip?: number
  readonly code: ProblemCode
}

const ROUTE = `  http:
  - route:
    - destination: {host: helloworld}
`

const VIRTUAL_SERVICE: Case[] = [
  {
    rule: 'hosts is required',
    text: vs(ROUTE),
    at: 'http:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'a host must be a valid DNS name',
    text: vs(`  hosts: [hello_world]\n${ROUTE}`),
    at: 'hello_world',
    code: ProblemCode.BadHost,
  },
  {
    rule: 'host "*" is not allowed for sidecars',
    text: vs(`  hosts: ["*"]\n${ROUTE}`),
    at: '"*"',
    code: ProblemCode.BadHost,
  },
  {
    rule: 'hosts that overlap are duplicates',
    text: vs(`  hosts: ["*.example.com", a.example.com]\n${ROUTE}`),
    at: 'a.example.com',
    code: ProblemCode.Duplicate,
  },
  {
    rule: 'a VirtualService needs http, tls or tcp routes',
    text: vs('  hosts: [helloworld]\n'),
    at: 'hosts:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'an http route needs route or directResponse',
    text: vs('  hosts: [helloworld]\n  http:\n  - name: nothing\n'),
    at: 'name: nothing',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'an http route cannot have both route and directResponse',
    text: vs(`  hosts: [helloworld]
  http:
  - directResponse: {status: 503}
    route:
    - destination: {host: helloworld}
`),
    at: 'route:',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'a destination needs a host',
    text: vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {subset: v1}
`),
    at: '{subset',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'a destination host cannot be "*"',
    text: vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {host: "*"}
`),
    at: '"*"',
    code: ProblemCode.BadHost,
  },
  {
    rule: 'a weight cannot be negative',
    text: vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {host: helloworld, subset: v1}
      weight: -10
    - destination: {host: helloworld, subset: v2}
      weight: 110
`),
    at: '-10',
    code: ProblemCode.BadWeight,
  },
  {
    rule: 'weights of several destinations cannot all be 0',
    text: vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {host: helloworld, subset: v1}
    - destination: {host: helloworld, subset: v2}
`),
    at: 'route:',
    code: ProblemCode.BadWeight,
  },
  {
    rule: 'a string match has exactly one of exact, prefix and regex',
    text: vs(`  hosts: [helloworld]
  http:
  - match:
    - uri: {exact: /hello, prefix: /h}
    route:
    - destination: {host: helloworld}
`),
    at: 'prefix: /h',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'a regex must compile',
    text: vs(`  hosts: [helloworld]
  http:
  - match:
    - uri: {regex: "/hello/[a-"}
    route:
    - destination: {host: helloworld}
`),
    at: '"/hello/[a-"',
    code: ProblemCode.BadRegex,
  },
  {
    rule: 'a regex cannot use lookahead, which RE2 lacks',
    text: vs(`  hosts: [helloworld]
  http:
  - match:
    - headers:
        end-user: {regex: "(?!jason).*"}
    route:
    - destination: {host: helloworld}
`),
    at: '"(?!jason).*"',
    code: ProblemCode.BadRegex,
  },
  {
    rule: 'a header name must be a valid token',
    text: vs(`  hosts: [helloworld]
  http:
  - match:
    - headers:
        end user: {exact: jason}
    route:
    - destination: {host: helloworld}
`),
    at: 'end user',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'a header prefix match cannot be empty',
    text: vs(`  hosts: [helloworld]
  http:
  - match:
    - headers:
        end-user: {prefix: ""}
    route:
    - destination: {host: helloworld}
`),
    at: '""',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'an SNI host must be covered by the hosts',
    text: vs(`  hosts: [helloworld.sample.svc.cluster.local]
  tls:
  - match:
    - sniHosts: [other.example.com]
    route:
    - destination: {host: helloworld}
`),
    at: 'other.example.com',
    code: ProblemCode.BadHost,
  },
  {
    rule: 'a direct response status is an HTTP status',
    text: vs(`  hosts: [helloworld]
  http:
  - directResponse: {status: 99}
`),
    at: '99',
    code: ProblemCode.BadValue,
  },
]

const DESTINATION_RULE: Case[] = [
  {
    rule: 'host is required',
    text: dr('  subsets:\n  - name: v1\n'),
    at: 'subsets:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'subset names are unique',
    text: dr(`  host: helloworld
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v1
    labels: {version: v2}
`),
    at: 'v1\n    labels: {version: v2}',
    code: ProblemCode.Duplicate,
  },
  {
    rule: 'a subset name is a DNS label',
    text: dr('  host: helloworld\n  subsets:\n  - name: v1.0\n'),
    at: 'v1.0',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'tls mode is one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL',
    text: dr('  host: helloworld\n  trafficPolicy:\n    tls: {mode: STRICT}\n'),
    at: 'STRICT',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'tls mode MUTUAL needs a client certificate',
    text: dr(
      '  host: helloworld\n  trafficPolicy:\n    tls: {mode: MUTUAL, privateKey: /etc/key.pem}\n',
    ),
    at: 'MUTUAL',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'loadBalancer simple is a known policy',
    text: dr('  host: helloworld\n  trafficPolicy:\n    loadBalancer: {simple: ROUND_ROBBIN}\n'),
    at: 'ROUND_ROBBIN',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'locality distribute and failover cannot be set together',
    text: dr(`  host: helloworld
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 1}
    loadBalancer:
      localityLbSetting:
        distribute:
        - {from: us-east/*, to: {"us-east/*": 100}}
        failover:
        - {from: us-east, to: us-west}
`),
    at: 'failover:',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'locality weights add up to 100',
    text: dr(`  host: helloworld
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: us-east/*
          to: {"us-east/*": 80, "us-west/*": 10}
`),
    at: '{"us-east',
    code: ProblemCode.BadWeight,
  },
  {
    rule: 'a traffic policy is not empty',
    text: dr('  host: helloworld\n  trafficPolicy: {}\n'),
    at: 'trafficPolicy',
    code: ProblemCode.MissingField,
  },
]

const SE_PORTS = `  ports:
  - {name: http1, number: 8000, protocol: http}
`

const SERVICE_ENTRY: Case[] = [
  {
    rule: 'hosts is required',
    text: se(SE_PORTS),
    at: 'ports:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'hosts is not empty',
    text: se(`  hosts: []\n${SE_PORTS}`),
    at: '[]',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'port numbers are unique',
    text: se(`  hosts: [httpbin.bar.global]
  ports:
  - {name: http1, number: 8000, protocol: http}
  - {name: http2, number: 8000, protocol: http}
`),
    at: '8000',
    skip: '8000, protocol: http}\n  - {name: http2, number: '.length,
    code: ProblemCode.Duplicate,
  },
  {
    rule: 'port names are unique',
    text: se(`  hosts: [httpbin.bar.global]
  ports:
  - {name: http1, number: 8000, protocol: http}
  - {name: http1, number: 8001, protocol: http}
`),
    at: 'http1, number: 8001',
    code: ProblemCode.Duplicate,
  },
  {
    rule: 'resolution NONE (the default) takes no endpoints',
    text: se(`  hosts: [httpbin.bar.global]
${SE_PORTS}  endpoints:
  - address: 192.168.1.247
`),
    at: 'endpoints:',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'an address is an IP or a CIDR',
    text: se(`  hosts: [httpbin.bar.global]\n  addresses: [240.0.0.300]\n${SE_PORTS}`),
    at: '240.0.0.300',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'CIDR addresses need resolution NONE or STATIC',
    text: se(`  hosts: [httpbin.bar.global]
  addresses: [240.0.0.0/16]
${SE_PORTS}  resolution: DNS
`),
    at: 'DNS',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'with DNS resolution and no endpoints a host cannot be a wildcard',
    text: se(`  hosts: ["*.bar.global"]\n${SE_PORTS}  resolution: DNS\n`),
    at: '"*.bar.global"',
    code: ProblemCode.BadHost,
  },
  {
    rule: "an endpoint's port names a declared port",
    text: se(`  hosts: [httpbin.bar.global]
${SE_PORTS}  resolution: DNS
  endpoints:
  - address: 192.168.1.247
    ports: {http: 15443}
`),
    at: 'http: 15443',
    code: ProblemCode.UnknownReference,
  },
  {
    rule: 'with STATIC resolution an endpoint address is an IP',
    text: se(`  hosts: [httpbin.bar.global]
${SE_PORTS}  resolution: STATIC
  endpoints:
  - address: gateway.example.com
`),
    at: 'gateway.example.com',
    code: ProblemCode.BadValue,
  },
]

const server = (port: string, rest: string) => `  selector: {istio: eastwestgateway}
  servers:
  - port: ${port}
${rest}`

const GATEWAY: Case[] = [
  {
    rule: 'servers is required',
    text: gw('  selector: {istio: eastwestgateway}\n'),
    at: 'selector',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'servers is not empty',
    text: gw('  servers: []\n'),
    at: '[]',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'a server needs hosts',
    text: gw(
      server('{number: 15443, name: tls, protocol: TLS}', '    tls: {mode: AUTO_PASSTHROUGH}\n'),
    ),
    at: 'port:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'a server needs a port',
    text: gw('  servers:\n  - hosts: ["*.local"]\n'),
    at: 'hosts:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'AUTO_PASSTHROUGH needs protocol TLS',
    text: gw(
      server(
        '{number: 15443, name: tls, protocol: HTTP}',
        '    tls: {mode: AUTO_PASSTHROUGH}\n    hosts: ["*.local"]\n',
      ),
    ),
    at: 'AUTO_PASSTHROUGH',
    code: ProblemCode.Conflict,
  },
  {
    rule: 'protocol TLS needs tls settings',
    text: gw(server('{number: 15443, name: tls, protocol: TLS}', '    hosts: ["*.local"]\n')),
    at: 'port:',
    code: ProblemCode.MissingField,
  },
  {
    rule: 'a server host is fully qualified',
    text: gw(server('{number: 80, name: http, protocol: HTTP}', '    hosts: [helloworld]\n')),
    at: 'helloworld]',
    code: ProblemCode.BadHost,
  },
  {
    rule: 'the protocol is one Istio knows',
    text: gw(server('{number: 80, name: http, protocol: SCTP}', '    hosts: ["*"]\n')),
    at: 'SCTP',
    code: ProblemCode.BadValue,
  },
  {
    rule: 'port names are unique across servers',
    text: gw(`  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
`),
    at: 'http, protocol: HTTP}\n    hosts: ["*"]\n',
    skip: 'http, protocol: HTTP}\n    hosts: ["*"]\n  - port: {number: 8080, name: '.length,
    code: ProblemCode.Duplicate,
  },
  {
    rule: "a Gateway's name is a DNS label",
    text: gw(server('{number: 80, name: http, protocol: HTTP}', '    hosts: ["*"]\n'), 'east.west'),
    at: 'east.west',
    code: ProblemCode.BadValue,
  },
]

describe.each([
  ['VirtualService', VIRTUAL_SERVICE],
  ['DestinationRule', DESTINATION_RULE],
  ['ServiceEntry', SERVICE_ENTRY],
  ['Gateway', GATEWAY],
])('a %s that Istio would reject is refused at the offending field', (_, cases) => {
  test.each(cases)('$rule', ({ text, at, skip, code }) => {
    expect(where(problemsOf(text))).toEqual([`${posOf(text, at, skip)} ${code}`])
  })
})

describe('messages say which resource, which field and why', () => {
  test('a problem renders as FILE:LINE:COL: path: Kind namespace/name: why', () => {
    const text = vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {host: helloworld, subset: v1}
      weight: -10
`)
    const [p] = problemsOf(text)
    expect(p && formatProblem(p)).toBe(
      'r.yaml:11:15: spec.http[0].route[0].weight: VirtualService sample/helloworld: weight -10 is negative; weights are 0 or more',
    )
  })

  test('weights need not sum to 100: current Istio normalizes them', () => {
    const text = vs(`  hosts: [helloworld]
  http:
  - route:
    - destination: {host: helloworld, subset: v1}
      weight: 1
    - destination: {host: helloworld, subset: v2}
      weight: 2
`)
    const r = parseResources(text, { file: 'r.yaml' })
    expect(r.problems).toEqual([])
    expect(r.warnings).toEqual([])
  })

  test('the regex message says Istio uses RE2 and what is wrong', () => {
    const text = vs(`  hosts: [helloworld]
  http:
  - match:
    - uri: {regex: "(a)\\\\1"}
    route:
    - destination: {host: helloworld}
`)
    const [p] = problemsOf(text)
    expect(p?.message).toContain('is not valid RE2')
    expect(p?.message).toContain('backreferences')
  })

  test('every problem of a resource is reported in one run', () => {
    const text = se(`  hosts: [httpbin.bar.global, "*"]
  addresses: [not-an-ip]
  ports:
  - {name: http1, number: 8000, protocol: http}
  - {name: http1, number: 8000, protocol: http}
`)
    expect(where(problemsOf(text))).toEqual([
      `${posOf(text, '"*"')} ${ProblemCode.BadHost}`,
      `${posOf(text, 'not-an-ip')} ${ProblemCode.BadValue}`,
      `${posOf(text, 'http1, number: 8000, protocol: http}\n', 'http1, number: 8000, protocol: http}\n  - {name: '.length)} ${ProblemCode.Duplicate}`,
      `${posOf(text, '8000', '8000, protocol: http}\n  - {name: http1, number: '.length)} ${ProblemCode.Duplicate}`,
    ])
  })
})
