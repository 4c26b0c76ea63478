// The TUI on a running two-networks mesh in 80x24: the map first, load started from the TUI
// through the sleep pod's sidecar, and live edges to both helloworld versions (v2 across the
// east-west gateway, over mTLS) in lines no wider than 80; then a request's real hops.

import { render } from 'ink-testing-library'
import { createElement as h } from 'react'
import { expect, onTestFinished, test, vi } from 'vitest'
import { App } from '../../src/cli/tui/app.ts'
import { meshSource } from '../../src/cli/tui/source.ts'
import { meshFromExample } from '../helpers/mesh.ts'

test('the mesh map of two-networks.yaml at 80x24 shows the v1/v2 split of load sent from the TUI', async () => {
  const mesh = await meshFromExample('two-networks.yaml')
  const app = render(
    h(App, {
      source: meshSource(mesh),
      color: false,
      onQuit: () => {},
      refreshMs: 50,
      columns: 80,
      rows: 24,
    }),
  )
  onTestFinished(() => app.unmount())
  const frame = () => app.lastFrame() ?? ''
  await vi.waitFor(() => expect(frame()).toContain('gateway 192.168.1.247:15443'))
  await new Promise((r) => setImmediate(r))
  for (const k of ':load 50\r') {
    app.stdin.write(k)
    await new Promise((r) => setImmediate(r))
  }
  await vi.waitFor(
    () => {
      expect(frame()).toMatch(/helloworld v1 @cluster1 +[█░]{8} +\d+% .* mTLS -/)
      expect(frame()).toMatch(/helloworld v2 @cluster2 +[█░]{8} +\d+% .* mTLS gw/)
      expect(frame()).toMatch(/load 50 rps +ok [1-9]/)
    },
    { timeout: 10_000, interval: 50 },
  )
  const lines = frame().split('\n')
  expect(lines.length).toBeLessThanOrEqual(23)
  expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
  expect(frame()).toContain('sleep @cluster1 → helloworld')
  expect(frame()).toMatch(/istiod primary v\d+ ✓ synced/)

  // A cross-network request's hops: the client sidecar names the gateway, the server its peer.
  for (const k of ':load off\r') {
    app.stdin.write(k)
    await new Promise((r) => setImmediate(r))
  }
  for (const k of ':req\r/inbound\r') {
    app.stdin.write(k)
    await new Promise((r) => setImmediate(r))
  }
  await vi.waitFor(() => expect(frame()).toMatch(/^>.*inbound/m))
  // Walk up to an inbound record at helloworld v2 (bounded by the list's length).
  for (let i = 0; i < 2000 && !/^>.*helloworld-v2/m.test(frame()); i++) {
    app.stdin.write('k')
    await new Promise((r) => setImmediate(r))
    await vi.waitFor(() => expect(frame()).toMatch(/^>/m))
  }
  app.stdin.write('\r')
  await vi.waitFor(() => expect(frame()).toContain('1. client sidecar'))
  const id = /^request (\S+)/m.exec(frame())?.[1]
  // Both ends of the mTLS connection logged the ALPN they settled on: the server's HTTP chain
  // picks http/1.1 from the sidecar's istio-http/1.1, istio, http/1.1.
  const sni = 'outbound_.5000_._.helloworld.sample.svc.cluster.local'
  const pair = mesh.records.recent().filter((r) => r.requestId === id)
  expect(pair.find((r) => r.direction === 'outbound')).toMatchObject({
    alpn: 'http/1.1',
    upstreamSni: sni,
  })
  expect(pair.find((r) => r.direction === 'inbound')).toMatchObject({
    alpn: 'http/1.1',
    requestedServerName: sni,
  })
  // The client's reasons, read from its own endpoints: the name, and the gateway picked for v2.
  await vi.waitFor(() =>
    expect(frame()).toMatch(/^ {3}why +1 of 2 endpoints, least request by weight$/m),
  )
  expect(frame()).toMatch(
    /^ {3}name +helloworld\.sample:5000 → helloworld\.sample\.svc\.cluster\.local:5000$/m,
  )
  expect(frame()).toMatch(/matched by Host header; service in cluster1, cluster2$/m)
  expect(frame()).toMatch(
    /^ {12}192\.168\.1\.247:15443: gateway of cluster2 \(network2\), weight 1$/m,
  )
  expect(frame()).toContain('on another network than network1 (split horizon)')
  expect(frame()).toMatch(/^ {12}also 10\.10\.0\.\d+:5000 local pod helloworld-v1-/m)
  expect(frame()).toContain(`   SNI      ${sni}`)
  expect(frame()).toContain('   ALPN     http/1.1')
  expect(frame()).toMatch(/2\. gateway/)
  // The gateway passes TLS through; the rest of the record scrolls in with j.
  const seen = new Set<string>()
  for (let i = 0; i < 40 && /… \d+ more/.test(frame()); i++) {
    const before = frame()
    for (const l of before.split('\n')) seen.add(l)
    app.stdin.write('j')
    await vi.waitFor(() => expect(frame()).not.toBe(before))
  }
  expect(frame()).not.toMatch(/… \d+ more/)
  for (const l of frame().split('\n')) seen.add(l)
  const all = [...seen].join('\n')
  expect(all).toContain('   mode     AUTO_PASSTHROUGH: routes on SNI without terminating TLS')
  // Its record, or (the pooled connection still open) the gateway pod the server saw it from.
  expect(all).toMatch(
    /^ {3}(passed +10\.20\.0\.\d+:\d+ cluster2\/istio-eastwestgateway-|bytes +\d+ received)/m,
  )
  expect(frame()).toMatch(/3\. server sidecar\n {3}proxy +cluster2\/sample\/helloworld-v2-/)
  expect(frame()).toContain('peer     spiffe://cluster.local/ns/sample/sa/sleep')
  const hopScreen = frame().split('\n')
  expect(hopScreen.length).toBeLessThanOrEqual(23)
  expect(Math.max(...hopScreen.map((l) => [...l].length))).toBeLessThanOrEqual(80)
}, 30_000)
