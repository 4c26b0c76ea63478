// Edge aggregation: who called whom, the v1/v2 split, errors, percentiles over a sliding
// window, mTLS and gateway crossing, all from access records.

import { describe, expect, test } from 'vitest'
import { edgeLines } from '../../../src/cli/tui/edge-lines.ts'
import { percentile, TrafficWindow } from '../../../src/cli/tui/traffic.ts'
import { GATEWAY2, request } from './fixture.ts'

describe('percentile', () => {
  test('is nearest-rank over sorted values, 0 for none', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(v, 0.5)).toBe(50)
    expect(percentile(v, 0.99)).toBe(99)
    expect(percentile([7], 0.99)).toBe(7)
    expect(percentile([], 0.5)).toBe(0)
  })
})

describe('TrafficWindow', () => {
  test('makes one edge per source and destination workload, from outbound records only', () => {
    const w = new TrafficWindow({ gateways: [GATEWAY2], windowMs: 10_000 })
    for (let i = 0; i < 30; i++) for (const r of request('v1', { ms: i + 1 })) w.add(r, 0)
    for (let i = 0; i < 10; i++) for (const r of request('v2', { ms: 50 })) w.add(r, 0)
    const edges = w.snapshot(9_999)
    expect(edges).toHaveLength(2)
    const [v1, v2] = edges
    expect(v1?.rps).toBeCloseTo(3, 2)
    expect(v1).toMatchObject({
      source: { cluster: 'cluster1', app: 'sleep', version: '' },
      destination: { cluster: 'cluster1', app: 'helloworld', version: 'v1' },
      requests: 30,
      errorRate: 0,
      p50Ms: 15,
      p99Ms: 30,
      mtls: 1,
      viaGateway: false,
    })
    expect(v2).toMatchObject({
      destination: { cluster: 'cluster2', version: 'v2' },
      requests: 10,
      p99Ms: 50,
      viaGateway: true,
    })
  })

  test('failed requests without peer metadata count as errors on the inbound workload or the service', () => {
    const w = new TrafficWindow()
    // The server answered 503 itself: its inbound record names it.
    const [out, inb] = request('v1', { code: 503 })
    w.add(inb, 0)
    w.add(out, 0)
    // No server was reached: only the service host asked for is known.
    w.add(request('v2', { code: 503, flags: ['UH'] })[0], 0)
    const edges = w.snapshot(1000)
    expect(edges.map((e) => `${e.destination.app} ${e.destination.version}`).sort()).toEqual([
      'helloworld ',
      'helloworld v1',
    ])
    expect(edges.every((e) => e.errorRate === 1 && e.mtls === 0)).toBe(true)
  })

  test('counts the response flags of the window per edge', () => {
    const w = new TrafficWindow({ windowMs: 5000 })
    for (const flags of [['UF'], ['UF', 'URX'], []]) w.add(request('v1', { flags })[0], 0)
    expect(w.snapshot(1000)[0]?.flags).toEqual({ UF: 2, URX: 1 })
    w.add(request('v1', { flags: ['UH'] })[0], 6000)
    expect(w.snapshot(6000)[0]?.flags).toEqual({ UH: 1 })
  })

  test('forgets requests older than the window', () => {
    const w = new TrafficWindow({ windowMs: 5000 })
    for (const r of request('v1')) w.add(r, 0)
    for (const r of request('v1')) w.add(r, 4000)
    expect(w.snapshot(4500)[0]?.requests).toBe(2)
    expect(w.snapshot(6000)[0]?.requests).toBe(1)
    expect(w.snapshot(9500)).toEqual([])
  })

  test('keeps at most maxSamples per edge', () => {
    const w = new TrafficWindow({ maxSamples: 50 })
    for (let i = 0; i < 500; i++) w.add(request('v1')[0], 0)
    expect(w.snapshot(100)[0]?.requests).toBe(50)
  })
})

describe('edgeLines', () => {
  test('groups versions under their source and service with their share, within the width', () => {
    const w = new TrafficWindow({ gateways: [GATEWAY2] })
    for (let i = 0; i < 30; i++) w.add(request('v1')[0], 0)
    for (let i = 0; i < 10; i++) w.add(request('v2', { code: 503 })[0], 0)
    for (let i = 0; i < 10; i++) w.add(request('v2')[0], 0)
    const lines = edgeLines(w.snapshot(4000), 80)
    expect(lines.every((l) => l.text.length <= 80)).toBe(true)
    const text = lines.map((l) => l.text).join('\n')
    expect(text).toContain('sleep @cluster1 → helloworld')
    expect(text).toMatch(/helloworld v1 @cluster1 +█████░░░ +60% +7\.5 +0%.* mTLS -/)
    expect(text).toMatch(/helloworld v2 @cluster2 +██░░░░░░ +20% .* mTLS gw/)
    // Requests no workload answered (503, no peer) share the group; the gateway was crossed.
    expect(text).toMatch(/helloworld \(no answer\) +██░░░░░░ +20% .* 100% .* none gw/)
    expect(lines.find((l) => l.text.includes('no answer'))?.errors).toBe(true)
    expect(lines.filter((l) => l.kind === 'group')).toHaveLength(1)
  })

  test('narrow widths keep the split, mTLS and gateway, naming versions under their group', () => {
    const w = new TrafficWindow({ gateways: [GATEWAY2] })
    for (let i = 0; i < 30; i++) w.add(request('v1')[0], 0)
    for (let i = 0; i < 10; i++) w.add(request('v2')[0], 0)
    for (const width of [36, 40, 60]) {
      const lines = edgeLines(w.snapshot(4000), width)
      expect(lines.every((l) => [...l.text].length <= width)).toBe(true)
      const text = lines.map((l) => l.text).join('\n')
      expect(text).toMatch(/^ {2}v1 @cluster1 +[█░]{4,8} +75% .*mTLS -$/m)
      expect(text).toMatch(/^ {2}v2 @cluster2 +[█░]{4,8} +25% .*mTLS gw$/m)
      expect(text).toContain('sleep @cluster1 →')
    }
    // Latency goes before rates: P50, then P99; RPS and ERR stay longest.
    expect(edgeLines(w.snapshot(4000), 60)[0]?.text).toMatch(/RPS +ERR +P99 +TLS GW$/)
    expect(edgeLines(w.snapshot(4000), 40)[0]?.text).toMatch(/SPLIT +TLS GW$/)
  })

  test('wide widths add request counts and response flags', () => {
    const w = new TrafficWindow({ gateways: [GATEWAY2] })
    for (let i = 0; i < 3; i++) w.add(request('v2', { code: 503, flags: ['UF'] })[0], 0)
    w.add(request('v2', { code: 503, flags: ['URX', 'UF'] })[0], 0)
    for (let i = 0; i < 4; i++) w.add(request('v1')[0], 0)
    const text = edgeLines(w.snapshot(4000), 140)
      .map((l) => l.text)
      .join('\n')
    expect(text).toMatch(/P99 +REQ +TLS GW +FLAGS$/m)
    expect(text).toMatch(/helloworld \(no answer\) .* 100% .* 4 +none gw +UF×4 URX×1$/m)
    expect(text).toMatch(/helloworld v1 @cluster1 .* 4 +mTLS - +-$/m)
  })
})
