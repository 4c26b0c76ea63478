// Istio's standard metrics at the admin API's /metrics on examples/two-networks.yaml: every request
// is counted once by the client sidecar (reporter source) and once by the server sidecar
// (reporter destination), with both workloads named on both sides even through the east-west
// gateway (metadata exchange, whose headers no app sees), and the text passes promtool.

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, test, vi } from 'vitest'
import type { Mesh } from '../../src/runtime/index.ts'
import { adminOf, cli } from '../helpers/cli.ts'
import { answerers, countBy, exampleSpec, sharedMesh } from '../helpers/traffic.ts'

interface Sample {
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

async function scrape(admin: string): Promise<{ type: string | null; text: string }> {
  const res = await fetch(`${admin}/metrics`)
  expect(res.status).toBe(200)
  return { type: res.headers.get('content-type'), text: await res.text() }
}

/** The samples of metric `name` in exposition text. */
function samples(text: string, name: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => {
      const close = l.lastIndexOf('}')
      const labels: Record<string, string> = {}
      for (const m of l.slice(name.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[m[1] as string] = m[2] as string
      }
      return { labels, value: Number(l.slice(close + 2)) }
    })
}

function sumBy(items: readonly Sample[], key: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of items) out[s.labels[key] ?? ''] = (out[s.labels[key] ?? ''] ?? 0) + s.value
  return out
}

/** One GET from `pod`'s app through its sidecar: status, response headers and body. */
function get(mesh: Mesh, pod: string, url: string) {
  const port = mesh.pod(pod)?.sidecar?.capturePort
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.end()
    },
  )
}

/** `promtool check metrics` on `text`: its exit code and what it printed. */
function promtool(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'])
    let output = ''
    child.stdout.on('data', (c: Buffer) => {
      output += c
    })
    child.stderr.on('data', (c: Buffer) => {
      output += c
    })
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'promtool is not installed: install the Debian package prometheus (apt-get install prometheus); .ci/run does',
            )
          : err,
      ),
    )
    child.on('close', (code) => resolve({ code, output }))
    child.stdin.end(text)
  })
}

const SLEEP = 'spiffe://cluster.local/ns/sample/sa/sleep'
const HELLOWORLD = 'spiffe://cluster.local/ns/sample/sa/default'
const VERSION_IN: Readonly<Record<string, string>> = { cluster1: 'v1', cluster2: 'v2' }

describe('metrics of two-networks.yaml', () => {
  const shared = sharedMesh(() => exampleSpec('two-networks.yaml'), { seed: 7 })

  test("10 requests from cluster1's sleep: 10 reported by source and 10 by destination, split by the cluster that answered", async () => {
    const mesh = shared()
    const admin = await adminOf(mesh)
    const answered = countBy(await answerers(mesh, 'cluster1/sample/sleep', 10), (p) => p.cluster)
    // Both ways, so the gateway hop is in what is checked.
    expect(Object.keys(answered).sort()).toEqual(['cluster1', 'cluster2'])

    const { type, text } = await scrape(admin)
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8')
    const requests = samples(text, 'istio_requests_total')
    for (const reporter of ['source', 'destination']) {
      const reported = requests.filter((s) => s.labels.reporter === reporter)
      expect(sumBy(reported, 'destination_cluster'), reporter).toEqual(answered)
      for (const { labels } of reported) {
        const version = VERSION_IN[labels.destination_cluster ?? ''] ?? '?'
        expect(labels).toMatchObject({
          source_workload: 'sleep',
          source_workload_namespace: 'sample',
          source_principal: SLEEP,
          source_app: 'sleep',
          source_canonical_service: 'sleep',
          source_cluster: 'cluster1',
          destination_workload: `helloworld-${version}`,
          destination_workload_namespace: 'sample',
          destination_principal: HELLOWORLD,
          destination_app: 'helloworld',
          destination_version: version,
          destination_canonical_service: 'helloworld',
          destination_canonical_revision: version,
          destination_service: 'helloworld.sample.svc.cluster.local',
          destination_service_name: 'helloworld',
          destination_service_namespace: 'sample',
          request_protocol: 'http',
          response_code: '200',
          grpc_response_status: '',
          response_flags: '-',
          connection_security_policy: reporter === 'source' ? 'unknown' : 'mutual_tls',
        })
      }
      const durations = samples(text, 'istio_request_duration_milliseconds_count').filter(
        (s) => s.labels.reporter === reporter,
      )
      expect(durations.reduce((n, s) => n + s.value, 0)).toBe(10)
    }
    // The remote requests crossed cluster2's east-west gateway.
    const accepted = samples(text, 'envoy_listener_downstream_cx_total')
    expect(sumBy(accepted, 'cluster').cluster2).toBeGreaterThan(0)
    expect(samples(text, 'envoy_tcp_downstream_cx_rx_bytes_total').length).toBe(2)
  })

  test('metadata exchange names a workload by its canonical labels, and no app sees its headers', async () => {
    const mesh = shared()
    const admin = await adminOf(mesh)
    const service = `apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: sample, labels: {app: httpbin}}
spec:
  ports: [{name: http, port: 8000, targetPort: 80}]
  selector: {app: httpbin}
`
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: sample}
spec:
  replicas: 1
  selector: {matchLabels: {app: httpbin, version: v1}}
  template:
    metadata:
      labels:
        app: httpbin
        version: v1
        service.istio.io/canonical-name: httpbin-api
        service.istio.io/canonical-revision: "2024"
    spec:
      containers:
      - name: httpbin
        image: docker.io/kennethreitz/httpbin
        ports: [{containerPort: 80}]
`
    const apply = (cluster: string, text: string) =>
      cli(['apply', '-f', '-', '--context', cluster, '--admin', admin], text)
    expect((await apply('cluster1', service)).code).toBe(0)
    expect((await apply('cluster2', `${service}---\n${deployment}`)).code).toBe(0)

    const reply = await get(mesh, 'cluster1/sample/sleep', 'http://httpbin.sample:8000/headers')
    expect(reply.status).toBe(200)
    const seen = Object.keys((JSON.parse(reply.body) as { headers: object }).headers)
    expect(seen).toContain('X-Forwarded-Client-Cert')
    expect(seen.filter((h) => /peer-metadata/i.test(h))).toEqual([])
    expect(Object.keys(reply.headers).filter((h) => h.includes('peer-metadata'))).toEqual([])

    await mesh.flushRecords()
    const requests = samples((await scrape(admin)).text, 'istio_requests_total')
    expect(requests.map((s) => [s.labels.reporter, s.value]).sort()).toEqual([
      ['destination', 1],
      ['source', 1],
    ])
    for (const { labels } of requests) {
      expect(labels).toMatchObject({
        source_workload: 'sleep',
        source_cluster: 'cluster1',
        destination_workload: 'httpbin',
        destination_app: 'httpbin',
        destination_version: 'v1',
        destination_canonical_service: 'httpbin-api',
        destination_canonical_revision: '2024',
        destination_service: 'httpbin.sample.svc.cluster.local',
        destination_cluster: 'cluster2',
      })
    }
  })

  test('a TCP connection through the gateway is counted by both sidecars when it closes, with its bytes', async () => {
    const mesh = shared()
    const admin = await adminOf(mesh)
    // A Service manifest: its port is a virtual ClusterIP port, not one bound on the host.
    const service = `apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: sample, labels: {app: tcp-echo}}
spec:
  ports: [{name: tcp, port: 9000}]
  selector: {app: tcp-echo}
`
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: tcp-echo, namespace: sample}
spec:
  selector: {matchLabels: {app: tcp-echo, version: v1}}
  template:
    metadata: {labels: {app: tcp-echo, version: v1}}
    spec:
      containers:
      - name: tcp-echo
        image: docker.io/istio/tcp-echo-server:1.3
        args: ["9000", "hello"]
        ports: [{containerPort: 9000}]
`
    const apply = (cluster: string, text: string) =>
      cli(['apply', '-f', '-', '--context', cluster, '--admin', admin], text)
    expect((await apply('cluster1', service)).code).toBe(0)
    expect((await apply('cluster2', `${service}---\n${deployment}`)).code).toBe(0)

    const socket = connect({
      host: '127.0.0.1',
      port: mesh.pod('cluster1/sample/sleep')?.sidecar?.capturePort ?? 0,
    })
    socket.on('error', () => socket.destroy())
    await once(socket, 'connect')
    socket.write('CONNECT tcp-echo.sample:9000 HTTP/1.1\r\nhost: tcp-echo.sample:9000\r\n\r\n')
    let received = ''
    socket.on('data', (c: Buffer) => {
      received += c.toString()
      if (received.endsWith('Established\r\n\r\n')) socket.write('world\n')
      if (received.endsWith('hello world\n')) socket.end()
    })
    await once(socket, 'close')
    expect(received).toContain('hello world\n')

    // Records are written once both directions have closed.
    await vi.waitFor(async () => {
      await mesh.flushRecords()
      const text = (await scrape(admin)).text
      const closed = samples(text, 'istio_tcp_connections_closed_total')
      expect(closed.map((s) => [s.labels.reporter, s.value]).sort()).toEqual([
        ['destination', 1],
        ['source', 1],
      ])
    })
    const text = (await scrape(admin)).text
    for (const reporter of ['source', 'destination']) {
      const pick = (name: string) => samples(text, name).find((s) => s.labels.reporter === reporter)
      expect(pick('istio_tcp_connections_opened_total')?.value).toBe(1)
      // The app wrote "world\n" (6 bytes) and got "hello world\n" (12) back.
      expect(pick('istio_tcp_received_bytes_total')?.value).toBe(6)
      expect(pick('istio_tcp_sent_bytes_total')?.value).toBe(12)
      expect(pick('istio_tcp_connections_closed_total')?.labels).toMatchObject({
        request_protocol: 'tcp',
        destination_service: 'tcp-echo.sample.svc.cluster.local',
        destination_service_name: 'tcp-echo',
        // No metadata exchange on TCP here: the certificates name each side's namespace.
        source_principal: SLEEP,
        source_workload_namespace: 'sample',
        destination_workload_namespace: 'sample',
        connection_security_policy: reporter === 'source' ? 'unknown' : 'mutual_tls',
      })
    }
    expect(samples(text, 'istio_requests_total')).toEqual([])
    // Both ends logged the ALPN the TCP chain settled on, and the client the SNI it sent.
    const tcp = mesh.records.recent().filter((r) => r.responseCode === 0 && r.bytesSent === 12)
    expect(tcp.find((r) => r.direction === 'outbound')).toMatchObject({
      alpn: 'istio-peer-exchange',
      upstreamSni: 'outbound_.9000_._.tcp-echo.sample.svc.cluster.local',
    })
    expect(tcp.find((r) => r.direction === 'inbound')).toMatchObject({
      alpn: 'istio-peer-exchange',
    })
  })

  test('the exposition passes promtool check metrics, but for the unit lint on Istio’s own name', async () => {
    const mesh = shared()
    const admin = await adminOf(mesh)
    await answerers(mesh, 'cluster2/sample/sleep', 4)
    const { text } = await scrape(admin)
    expect(samples(text, 'istio_requests_total').length).toBeGreaterThan(0)
    const { code, output } = await promtool(text)
    // promtool exits 3 for lint problems (1 for text it cannot parse). Istio names its histogram
    // in milliseconds, which the lint would have in seconds; that name is what dashboards query.
    const problems = output.trim() === '' ? [] : output.trim().split('\n')
    expect(problems).toEqual(
      code === 0
        ? []
        : ['istio_request_duration_milliseconds use base unit "seconds" instead of "milliseconds"'],
    )
    expect([0, 3]).toContain(code)
  })
})
