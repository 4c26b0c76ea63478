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
  expect(frame()).toMatch(/2\. gateway 192\.168\.1\.247:15443/)
  expect(frame()).toContain('server sidecar')
  expect(frame()).toContain('peer     spiffe://cluster.local/ns/sample/sa/sleep')
}, 30_000)
