// The map as ink draws it: four networks in 80x24, a resize to narrow and back re-laid out on
// the next frame, a wide terminal, and the same words whether colour is on or off.

import { renderToString } from 'ink'
import { render } from 'ink-testing-library'
import { createElement as h } from 'react'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { App } from '../../../src/cli/tui/app.ts'
import { width } from '../../../src/cli/tui/map-layout.ts'
import { MapView, type MapViewProps } from '../../../src/cli/tui/map-view.ts'
import { request, TWO_NETWORKS } from './fixture.ts'
import { bigTraffic, FOUR_NETWORKS, viewSource } from './fixture-networks.ts'

let unmount = () => {}
afterEach(() => unmount())

const fits = (frame: string, columns: number, rows: number): boolean => {
  const lines = frame.split('\n')
  return lines.length <= rows && lines.every((l) => width(l) <= columns)
}

const props = (columns: number, rows: number, color = false): MapViewProps => ({
  view: FOUR_NETWORKS,
  edges: bigTraffic(),
  columns,
  rows,
  color,
})

describe('MapView', () => {
  test('draws four networks of two clusters and their traffic within 80x21', () => {
    const app = render(h(MapView, props(80, 21)))
    unmount = app.unmount
    const frame = app.lastFrame() ?? ''
    expect(fits(frame, 80, 21), frame).toBe(true)
    for (let n = 1; n <= 8; n++) expect(frame).toContain(`cluster${n} `)
    expect(frame).toContain('╭─ network network4')
    expect(frame).toMatch(/TO +SPLIT +RPS +ERR +P50 +P99 +TLS GW/)
    expect(frame).toMatch(/helloworld v1 @cluster1 +[█░]{8} +\d+% .* mTLS -/)
    expect(frame).toMatch(/… \+\d+ more edges/)
  })

  test('fills the rows the map leaves empty with the newest requests, and only those rows', () => {
    const log = Array.from({ length: 30 }, (_, i) => request(i % 2 ? 'v1' : 'v2')).flat()
    const draw = (rows: number) =>
      renderToString(
        h(MapView, {
          view: TWO_NETWORKS,
          edges: [],
          recent: log,
          columns: 100,
          rows,
          color: false,
        }),
        { columns: 100 },
      )
    const tall = draw(40)
    expect(fits(tall, 100, 40), tall).toBe(true)
    expect(tall).toContain('newest requests')
    const shown = tall
      .split('\n')
      .filter((l) => /^\d\d:\d\d:\d\d\.\d{3} (outbound|inbound) /.test(l))
    // The newest ones: the log's last line is the frame's last line.
    expect(shown.length).toBeGreaterThanOrEqual(2)
    expect(tall.trimEnd().split('\n').at(-1)).toContain(log.at(-1)?.proxy)
    // Too short a screen for the map and two requests: no requests and no title at all.
    const short = draw(9)
    expect(fits(short, 100, 9), short).toBe(true)
    expect(short).not.toContain('newest requests')
  })

  test('re-lays out when rerendered at another size', () => {
    const app = render(h(MapView, props(80, 21)))
    unmount = app.unmount
    let before = app.lastFrame()
    for (const [columns, rows] of [
      [40, 12],
      [60, 17],
      [100, 30],
      [40, 12],
    ] as const) {
      app.rerender(h(MapView, props(columns, rows)))
      const frame = app.lastFrame() ?? ''
      expect(fits(frame, columns, rows), `${columns}x${rows}\n${frame}`).toBe(true)
      expect(frame).not.toBe(before)
      expect(frame).toMatch(/[█░]{8} +\d+% .*(mTLS|part) (gw|-)/)
      before = frame
    }
    // At 40 columns the boxes give way to one line per cluster.
    expect(app.lastFrame()).toMatch(/^network1 cluster1 ✓ gw/m)
  })

  test('uses a wide terminal: boxes side by side, request counts and response flags', () => {
    const frame = renderToString(h(MapView, props(160, 45)), { columns: 160 })
    expect(fits(frame, 160, 45), frame).toBe(true)
    expect(frame.split('\n')[0]?.match(/╭─ network/g)).toHaveLength(4)
    expect(frame).toContain('istiod primary v7 ! 2 stale of 7')
    expect(frame).toMatch(/REQ +TLS GW +FLAGS/)
    expect(frame).toContain('UF×3 URX×1')
  })

  test('says the same with colour on or off: colour only repeats the words', () => {
    for (const [columns, rows] of [
      [80, 21],
      [40, 12],
    ] as const) {
      const plain = renderToString(h(MapView, props(columns, rows, false)), { columns })
      const coloured = renderToString(h(MapView, props(columns, rows, true)), { columns })
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI escapes
      expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain)
      expect(plain).not.toContain('\u001b[')
    }
  })
})

describe('App on resize', () => {
  test('renders the next frame in the new size, narrower then wider', async () => {
    const source = viewSource(FOUR_NETWORKS)
    const base = { source, color: false, onQuit: () => {}, refreshMs: 20 }
    const app = render(h(App, { ...base, columns: 80, rows: 24 }))
    unmount = app.unmount
    const frame = () => app.lastFrame() ?? ''
    await vi.waitFor(() => expect(frame()).toContain('network network4'))
    for (let i = 0; i < 6; i++) for (const r of request(i % 2 ? 'v1' : 'v2')) source.emit(r)
    await vi.waitFor(() => expect(frame()).toContain('sleep @cluster1 → helloworld'))
    expect(fits(frame(), 80, 23), frame()).toBe(true)
    const widest = () => Math.max(...frame().split('\n').map(width))
    let before = 80
    for (const [columns, rows] of [
      [40, 15],
      [60, 20],
      [100, 40],
    ] as const) {
      app.rerender(h(App, { ...base, columns, rows }))
      // The App keeps one row spare below its frame.
      await vi.waitFor(() => {
        expect(fits(frame(), columns, rows - 1), frame()).toBe(true)
        // Growing, it uses the new room: the boxes span the new width.
        if (columns > before) expect(widest()).toBe(columns)
      })
      before = columns
      expect(frame()).toMatch(/[█░]{8} +50% .*mTLS (gw|-)/)
      expect(frame()).toContain('cluster8')
    }
    // 100x40 has room for the boxes in full again.
    expect(frame()).toContain('gateway 192.168.8.250:15443')
  })
})
