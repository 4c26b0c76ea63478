// The map's layout limits, without a terminal: four networks of two clusters in 80x24, narrow
// terminals down to a few cells, a wide one; every line within the width, the whole within the
// height, and whatever is left out counted in a "+N".

import { describe, expect, test } from 'vitest'
import { edgeLines } from '../../../src/cli/tui/edge-lines.ts'
import {
  fitTokens,
  layoutMap,
  type MapLine,
  type Segment,
  width,
} from '../../../src/cli/tui/map-layout.ts'
import type { MeshView } from '../../../src/cli/tui/topology.ts'
import type { EdgeStats } from '../../../src/cli/tui/traffic.ts'
import { TWO_NETWORKS } from './fixture.ts'
import { bigMesh, bigTraffic, FOUR_NETWORKS } from './fixture-networks.ts'

const text = (l: MapLine) => l.map((s) => s.text).join('')

/** The map as the view draws it (MapView's rows are the terminal's less 3: title, footer, spare). */
function draw(view: MeshView, edges: readonly EdgeStats[], columns: number, rows: number) {
  const all = edgeLines(edges, columns)
  const map = layoutMap(view, all, columns, rows)
  const lines = [
    ...map.networks.map(text),
    ...map.edges.map((e) => e.text),
    ...(map.more ? [map.more] : []),
  ]
  return { map, all, lines, joined: lines.join('\n') }
}

function expectFits(lines: readonly string[], columns: number, rows: number): void {
  expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(rows)
  for (const l of lines) expect(width(l), l).toBeLessThanOrEqual(columns)
}

/** Edge lines shown plus the `+N more edges` count is every edge line there was. */
function expectEdgesCounted(d: ReturnType<typeof draw>): void {
  const total = d.all.filter((l) => l.kind === 'edge').length
  const shown = d.map.edges.filter((l) => l.kind === 'edge').length
  const more = Number(/\+(\d+) more edges/.exec(d.map.more ?? '')?.[1] ?? 0)
  expect(shown + more).toBe(total)
}

/** The services a cluster's line names, plus its trailing `+N`. */
function servicesCounted(line: string): number {
  const tokens = line.split(' · ').slice(1)
  const more = /\+(\d+)$/.exec(tokens.at(-1) ?? '')
  return tokens.length - (more ? 1 : 0) + Number(more?.[1] ?? 0)
}

const CLUSTERS = FOUR_NETWORKS.networks.flatMap((n) => n.clusters)

describe('four networks of two clusters', () => {
  test('fit 80x24 as boxes two by two, every cluster named and every service counted', () => {
    const d = draw(FOUR_NETWORKS, bigTraffic(), 80, 21)
    expectFits(d.lines, 80, 21)
    expect(d.map).toMatchObject({ detail: 'compact', perRow: 2 })
    for (const n of FOUR_NETWORKS.networks) expect(d.joined).toContain(`network ${n.name}`)
    for (const c of CLUSTERS) {
      const at = d.lines.findIndex((l) => l.includes(`│ ${c.name} `))
      expect(at, c.name).toBeGreaterThan(0)
      // Its services line sits below it, in the same box column.
      const box = d.lines[at]?.indexOf(`│ ${c.name} `) ?? 0
      const services = d.lines[at + 1]?.slice(box + 2, box + 38).trim() ?? ''
      expect(servicesCounted(` · ${services}`), services).toBe(c.services.length)
    }
    expect(d.joined).toMatch(/cluster5 ! 2 stale of 7/)
    expect(d.joined).toMatch(/cluster2 ✓ synced · gw · remote of/)
    expectEdgesCounted(d)
    expect(d.map.more).toMatch(/^… \+\d+ more edges$/)
    // The traffic table keeps its split, mTLS and gateway columns.
    expect(d.joined).toMatch(/helloworld v1 @cluster2 +░+ +\d+% .* part gw/)
  })

  test.each([
    [60, 17, 'compact'],
    [40, 12, 'table'],
    [30, 8, 'summary'],
  ])(
    'narrow at %ix%i: %s, never wider or taller, every cluster accounted for',
    (columns, rows, detail) => {
      const d = draw(FOUR_NETWORKS, bigTraffic(), columns, rows)
      expectFits(d.lines, columns, rows)
      expect(d.map.detail).toBe(detail)
      expectEdgesCounted(d)
      for (const n of FOUR_NETWORKS.networks) {
        const named = n.clusters.filter((c) => new RegExp(`\\b${c.name}\\b`).test(d.joined))
        // A network line that names only some clusters ends with how many it left out.
        const line = d.lines.find((l) => l.startsWith(`${n.name}:`))
        const more = Number(/\+(\d+)$/.exec(line ?? '')?.[1] ?? 0)
        expect(named.length + more, n.name).toBe(n.clusters.length)
      }
      // Whatever the width, an edge line shows its split bar and %, TLS and gateway.
      for (const e of d.map.edges.filter((l) => l.kind === 'edge')) {
        expect(e.text).toMatch(/[█░]{4,8} +\d+% .*(mTLS|part|none) (gw|-)$/)
      }
    },
  )

  test('a wide terminal sets the four boxes side by side in full, with more edge columns', () => {
    const d = draw(FOUR_NETWORKS, bigTraffic(), 160, 45)
    expectFits(d.lines, 160, 45)
    expect(d.map).toMatchObject({ detail: 'full', perRow: 4 })
    expect(d.lines[0]?.match(/╭─ network network\d/g)).toHaveLength(4)
    expect(d.joined).toContain('gateway 192.168.8.250:15443')
    expect(d.joined).toContain('reviews v1 v2 v3')
    expect(d.joined).toMatch(/TO +SPLIT +RPS +ERR +P50 +P99 +REQ +TLS GW +FLAGS/)
    expect(d.joined).toMatch(/helloworld v1 @cluster4 .* 25% .* mTLS gw +UF×3 URX×1/)
    expectEdgesCounted(d)
  })

  test('the two-networks example keeps its full boxes in 80x24', () => {
    const d = draw(TWO_NETWORKS, [], 80, 21)
    expect(d.map).toMatchObject({ detail: 'full', perRow: 2 })
    expect(d.joined).toContain('istiod primary v2 ! 1 stale of 3')
  })
})

describe('a mesh too big for the screen', () => {
  test('lists networks one a line, then says how many networks and clusters it left out', () => {
    const view = bigMesh(8, 3)
    const d = draw(view, bigTraffic(view), 40, 9)
    expectFits(d.lines, 40, 9)
    expect(d.map.detail).toBe('summary')
    const shown = d.lines.filter((l) => /^network\d:/.test(l)).length
    const more = /^\+(\d+) more networks \((\d+) clusters\)$/.exec(
      d.lines.find((l) => l.includes('more networks')) ?? '',
    )
    expect(shown).toBeGreaterThan(0)
    expect(shown + Number(more?.[1])).toBe(8)
    expect(Number(more?.[2])).toBe((8 - shown) * 3)
    expectEdgesCounted(d)
  })

  test.each([
    [20, 4],
    [12, 3],
    [5, 2],
    [1, 1],
  ])('degrades without overflow at %ix%i', (columns, rows) => {
    const d = draw(FOUR_NETWORKS, bigTraffic(), columns, rows)
    expectFits(d.lines, columns, rows)
    expect(d.lines.length).toBeGreaterThan(0)
  })
})

describe('fitTokens', () => {
  const seg = (t: string): Segment => ({ text: t, tone: 'plain' })
  test('keeps the lead, then as many tokens as fit, counting the rest as +N', () => {
    const tokens = ['alpha', 'beta', 'gamma', 'delta'].map(seg)
    expect(text(fitTokens([seg('x')], tokens, 80))).toBe('x · alpha · beta · gamma · delta')
    expect(text(fitTokens([seg('x')], tokens, 22))).toBe('x · alpha · beta · +2')
    expect(text(fitTokens([seg('x')], tokens, 9))).toBe('x · +4')
    expect(text(fitTokens([seg('longlead')], tokens, 5))).toBe('long…')
    expect(text(fitTokens([seg(' ')], tokens, 80))).toBe(' alpha · beta · gamma · delta')
  })
})
