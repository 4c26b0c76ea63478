// istioctl- and kubectl-shaped inspection of examples/two-networks.yaml through the admin API:
// `pc endpoints|clusters`, `proxy-status` and `remote-clusters` match golden files (names and
// addresses are deterministic), the endpoints sleep is given are exactly those its traffic
// reaches, `pc secret` shows the chain, `-o json` validates against the schema the admin API
// declares, and `get`/`logs` read like kubectl's.

import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { describe, expect, test } from 'vitest'
import { adminOf, cli } from '../helpers/cli.ts'
import { recordsOf, tally } from '../helpers/mesh.ts'
import { exampleSpec, HELLO, sharedMesh } from '../helpers/traffic.ts'

const golden = (name: string) => readFileSync(new URL(`../golden/${name}`, import.meta.url), 'utf8')

describe('inspecting two-networks.yaml', () => {
  const mesh = sharedMesh(() => exampleSpec('two-networks.yaml'), { seed: 6 })

  test.each([
    [
      'pc-endpoints-sleep-cluster1.txt',
      ['pc', 'endpoints', 'sleep.sample', '--context', 'cluster1'],
    ],
    ['pc-clusters-sleep-cluster1.txt', ['pc', 'clusters', 'sleep.sample', '--context', 'cluster1']],
    ['proxy-status.txt', ['proxy-status']],
    ['remote-clusters.txt', ['remote-clusters']],
  ])('%s', async (file, args) => {
    const r = await cli([...args, '--admin', await adminOf(mesh())])
    expect(r).toEqual({ code: 0, stdout: golden(file), stderr: '' })
  })

  test('the endpoints sleep in cluster1 is given are exactly the ones its traffic reaches', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const out = (await cli(['pc', 'endpoints', 'sleep', '--context', 'cluster1', '--admin', admin]))
      .stdout
    const listed = out
      .split('\n')
      .filter((l) => l.endsWith('outbound|5000||helloworld.sample.svc.cluster.local'))
      .map((l) => l.split(/\s+/)[0])
    const records = recordsOf(m)
    await tally(m, 'cluster1/sample/sleep', HELLO, 30)
    const sleep = m.pod('cluster1/sample/sleep')
    const reached = new Set(
      records.filter((r) => r.proxy === sleep?.name).map((r) => r.upstreamHost),
    )
    expect(new Set(listed)).toEqual(reached)
    expect(listed.sort()).toEqual([
      `${m.pod('cluster1/sample/helloworld')?.ip}:5000`,
      '192.168.1.247:15443',
    ])
  })

  test('pc secret shows the workload chain and the root, with serials and validity', async () => {
    const admin = await adminOf(mesh())
    const text = await cli([
      'pc',
      'secret',
      'sleep.sample',
      '--context',
      'cluster1',
      '--admin',
      admin,
    ])
    const rows = text.stdout.trim().split('\n')
    expect(rows[0]).toMatch(
      /^RESOURCE NAME\s+TYPE\s+STATUS\s+VALID CERT\s+SERIAL NUMBER\s+NOT AFTER\s+NOT BEFORE$/,
    )
    expect(rows[1]).toMatch(
      /^default\s+Cert Chain\s+ACTIVE\s+true\s+[0-9a-f]+\s+\d{4}-\d\d-\d\dT[\d:]+Z\s+\d{4}-/,
    )
    expect(rows[2]).toMatch(/^ROOTCA\s+CA\s+ACTIVE\s+true\s+[0-9a-f]+\s/)
    const json = JSON.parse(
      (
        await cli([
          'pc',
          'secret',
          'sleep.sample',
          '--context',
          'cluster1',
          '-o',
          'json',
          '--admin',
          admin,
        ])
      ).stdout,
    )
    expect(json[0].certificates.map((c: { uris: string[] }) => c.uris)).toEqual([
      ['spiffe://cluster.local/ns/sample/sa/sleep'],
      [],
    ])
    expect(json[0].certificates[1].subject).toContain('cluster1')
  })

  test('every command -o json validates against the schema the admin API publishes', async () => {
    const admin = await adminOf(mesh())
    const schemas = (await (await fetch(`${admin}/api/v1/schemas`)).json()) as Record<
      string,
      object
    >
    const ajv = new Ajv({ strict: false })
    for (const [args, schema] of [
      [['proxy-status', '-o', 'json'], 'proxyStatus'],
      [['remote-clusters', '-o', 'json'], 'remoteClusters'],
      [['get', 'pods', '-A', '-o', 'json'], 'pods'],
      [['get', 'svc', '-A', '-o', 'json'], 'services'],
      [['get', 'vs', '-A', '-o', 'json'], 'resources'],
    ] as const) {
      const body = JSON.parse((await cli([...args, '--admin', admin])).stdout)
      const valid = ajv.validate(schemas[schema] ?? {}, body)
      expect(valid, `${args.join(' ')}: ${JSON.stringify(ajv.errors)}`).toBe(true)
    }
  })

  test('get pods and services read like kubectl; logs prints the proxy access log', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const pods = await cli([
      'get',
      'pods',
      '-n',
      'sample',
      '--context',
      'cluster1',
      '--admin',
      admin,
    ])
    expect(pods.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS$/)
    expect(pods.stdout).toMatch(/\nsleep-\S+\s+2\/2\s+Running\s+0\n/)
    const svc = await cli(['get', 'svc', '-n', 'sample', '--context', 'cluster2', '--admin', admin])
    expect(svc.stdout).toMatch(
      /\nhelloworld\s+ClusterIP\s+10\.200\.\d+\.\d+\s+<none>\s+5000\/TCP\n/,
    )
    await tally(m, 'cluster2/sample/sleep', HELLO, 3)
    const logs = await cli(['logs', 'sleep.sample', '--context', 'cluster2', '--admin', admin])
    expect(logs.stdout).toMatch(
      /"GET \/hello HTTP\/1\.1" 200 - via_upstream .* outbound\|5000\|\|helloworld\.sample\.svc\.cluster\.local /,
    )
    const unknown = await cli(['get', 'widgets', '--admin', admin])
    expect(unknown.code).toBe(64)
  })

  test('x describe pod names the Service, the matching subset and the routes that miss it', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const rules = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: helloworld, namespace: sample}
spec:
  host: helloworld.sample.svc.cluster.local
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: helloworld, namespace: sample}
spec:
  hosts: [helloworld.sample.svc.cluster.local]
  http:
  - route:
    - destination: {host: helloworld.sample.svc.cluster.local, subset: v2}
`
    expect(
      (await cli(['apply', '-f', '-', '--context', 'cluster1', '--admin', admin], rules)).code,
    ).toBe(0)
    const r = await cli([
      'x',
      'describe',
      'pod',
      'helloworld.sample',
      '--context',
      'cluster1',
      '--admin',
      admin,
    ])
    expect(r.stdout).toBe(
      [
        `Pod: ${m.pod('cluster1/sample/helloworld')?.name}`,
        '   Pod Revision: default',
        '   Pod Ports: 5000 (app), 15090 (istio-proxy)',
        '--------------------',
        'Service: helloworld',
        '   Port: http 5000/HTTP targets pod port 5000',
        'DestinationRule: helloworld for "helloworld.sample.svc.cluster.local"',
        '   Matching subsets: v1',
        '      (Non-matching subsets v2)',
        '   Traffic Policy TLS Mode: ISTIO_MUTUAL (auto-mTLS)',
        'VirtualService: helloworld',
        '   1 HTTP route(s)',
        '      Route to non-matching subset v2 for (everything)',
        '   WARNING: No destinations match pod subsets (checked 1 HTTP routes)',
        '',
      ].join('\n'),
    )
    await cli(['delete', '-f', '-', '--context', 'cluster1', '--admin', admin], rules)
  })

  test('the record stream follows new requests, as server-sent events filtered by pod', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const sleep = m.pod('cluster1/sample/sleep')
    const controller = new AbortController()
    const res = await fetch(
      `${admin}/api/v1/records?cluster=cluster1&pod=${sleep?.name}&follow=true`,
      {
        headers: { accept: 'text/event-stream' },
        signal: controller.signal,
      },
    )
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    await tally(m, 'cluster1/sample/sleep', `${HELLO}?follow-me`, 1)
    let text = ''
    // Frames already in the ring come first; read until the new request arrives.
    for (let i = 0; i < 1000 && !text.includes('follow-me'); i++) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    const frames = text.split('\n\n').filter((f) => f.startsWith('data: '))
    const last = JSON.parse(frames.findLast((f) => f.includes('follow-me'))?.slice(6) ?? '{}')
    expect(last).toMatchObject({ proxy: sleep?.name, direction: 'outbound', responseCode: 200 })
    expect(frames.every((f) => f.includes(`"proxy":"${sleep?.name}"`))).toBe(true)
  })

  test('an unreachable mesh says how to start one', async () => {
    const r = await cli(['proxy-status', '--admin', 'http://127.0.0.1:9'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('meshsim up')
  })
})
