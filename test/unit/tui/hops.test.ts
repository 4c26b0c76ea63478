// A request's hop-by-hop record as lines: how the client resolved the name, why it chose its
// endpoint (from the client proxy's endpoints), and a gateway told from the hops either side of it.

import { describe, expect, test } from 'vitest'
import { type HopContext, hopLines, nameLines, whyLines } from '../../../src/cli/tui/hops.ts'
import type { EndpointRow, PodRow } from '../../../src/cli/tui/pods.ts'
import { hopsOf } from '../../../src/cli/tui/requests.ts'
import { GATEWAY2, gatewayRecord, request, SERVICES } from './fixture.ts'

const endpoint = (host: string, reaches: string, remote = false): EndpointRow => ({
  host,
  status: 'HEALTHY',
  outlier: 'OK',
  weight: 1,
  reaches,
  remote,
})
const V1_EP = endpoint('10.10.0.4:5000', 'local pod helloworld-v1-1 @cluster1')
const GW_EP = endpoint(GATEWAY2, 'gateway of cluster2 (network2)', true)
const upstream = { network: 'network1', endpoints: [V1_EP, GW_EP], lbPolicy: 'LEAST_REQUEST' }
const GATEWAY_POD: PodRow = {
  cluster: 'cluster2',
  network: 'network2',
  namespace: 'istio-system',
  name: 'istio-eastwestgateway-2',
  app: 'istio-eastwestgateway',
  version: '',
  ip: '10.20.0.3',
  proxy: 'gateway',
  ready: '1/1',
  sync: 'SYNCED',
}
const text = (lines: { text: string }[]) => lines.map((l) => l.text).join('\n')

describe('nameLines', () => {
  test('the authority becomes the service host and port of its cluster, and where it lives', () => {
    const [out] = request('v2')
    expect(text(nameLines(out, SERVICES))).toBe(
      [
        '   name     helloworld.sample:5000 → helloworld.sample.svc.cluster.local:5000',
        '            matched by Host header; service in cluster1',
      ].join('\n'),
    )
  })

  test('PassthroughCluster says no service matched; a request with no cluster, no route', () => {
    const [out] = request('v1')
    const through = { ...out, upstreamCluster: 'PassthroughCluster', routeName: 'allow_any' }
    expect(text(nameLines(through))).toMatch(/→ no service matched\n.*10\.100\.0\.4:5000$/)
    expect(text(nameLines({ ...out, upstreamCluster: '' }))).toMatch(/→ no route matched$/)
  })
})

describe('whyLines', () => {
  test('a gateway endpoint: its share, the LB policy, and split horizon', () => {
    const [out] = request('v2')
    expect(text(whyLines(out, upstream))).toBe(
      [
        '   why      1 of 2 endpoints, least request by weight',
        `            ${GATEWAY2}: gateway of cluster2 (network2), weight 1`,
        '            its pods are on another network than network1 (split horizon)',
        '            also 10.10.0.4:5000 local pod helloworld-v1-1 @cluster1',
      ].join('\n'),
    )
  })

  test('a local pod needs no split horizon; unread or gone endpoints say so', () => {
    const [out] = request('v1')
    const lines = text(whyLines(out, upstream))
    expect(lines).toContain('10.10.0.4:5000: local pod helloworld-v1-1 @cluster1, weight 1')
    expect(lines).not.toContain('split horizon')
    expect(text(whyLines(out, undefined))).toContain("reading the client proxy's endpoints")
    expect(text(whyLines(out, 'none'))).toContain('not readable')
    const gone = { ...upstream, endpoints: [GW_EP] }
    expect(text(whyLines(out, gone))).toContain('10.10.0.4:5000 is no longer among its 1 endpoints')
  })
})

describe('hopLines', () => {
  const ctx: HopContext = {
    gateways: [GATEWAY2],
    services: SERVICES,
    pods: [GATEWAY_POD],
    upstream,
  }

  test('the client hop carries name, why, SNI and ALPN; the server its SNI and ALPN', () => {
    const [out, inb] = request('v2')
    const sni = 'outbound_.5000_._.helloworld.sample.svc.cluster.local'
    const client = { ...out, alpn: 'http/1.1', upstreamSni: sni }
    const lines = text(hopLines(hopsOf(inb, [client, { ...inb, alpn: 'http/1.1' }]), ctx))
    expect(lines).toMatch(/1\. client sidecar\n {3}proxy .*\n {3}name +helloworld\.sample:5000 →/)
    expect(lines).toMatch(/ {3}endpoint 192\.168\.1\.247:15443\n {3}why +1 of 2 endpoints/)
    expect(lines).toContain(
      `   SNI      ${sni}\n   ALPN     http/1.1\n   peer     spiffe://cluster.local/ns/sample/sa/default`,
    )
    expect(lines).toMatch(/3\. server sidecar\n(.*\n)* {3}SNI +outbound_.*\n {3}ALPN +http\/1\.1\n/)
  })

  test('a gateway without its record is told from the client endpoint and the server downstream', () => {
    const [out, inb] = request('v2')
    const lines = text(hopLines(hopsOf(inb, [out, inb]), ctx))
    expect(lines).toContain(
      [
        `2. gateway ${GATEWAY2}  gateway of cluster2 (network2)`,
        '   mode     AUTO_PASSTHROUGH: routes on SNI without terminating TLS',
        '   SNI      outbound_.5000_._.helloworld.sample.svc.cluster.local',
        '   passed   10.20.0.3:57772 cluster2/istio-eastwestgateway-2',
        '            (the server sidecar saw the connection come from there)',
        '   record   none yet: it logs the connection when it closes',
        '3. server sidecar',
      ].join('\n'),
    )
  })

  test("a gateway's own record shows its SNI, upstream cluster and host, and bytes", () => {
    const [out, inb] = request('v2', { port: 41999 })
    const gw = gatewayRecord('10.10.0.5:41999')
    const lines = text(hopLines(hopsOf(inb, [out, gw, inb]), ctx))
    expect(lines).toMatch(
      /2\. gateway\n {3}proxy +cluster2\/istio-system\/istio-eastwestgateway-1\n/,
    )
    expect(lines).toContain('   endpoint 10.20.0.4:5000')
    expect(lines).toContain('   bytes    4060 received, 5686 sent')
    expect(lines).toContain('   mode     AUTO_PASSTHROUGH')
    expect(lines).not.toContain('none yet')
  })

  test('a request to a local pod has no gateway hop', () => {
    const [out, inb] = request('v1')
    const lines = text(hopLines(hopsOf(out, [out, inb]), ctx))
    expect(lines).toMatch(/^1\. client sidecar$/m)
    expect(lines).toMatch(/^2\. server sidecar$/m)
    expect(lines).not.toMatch(/^\d\. gateway/m)
    expect(lines).not.toContain('AUTO_PASSTHROUGH')
  })
})
