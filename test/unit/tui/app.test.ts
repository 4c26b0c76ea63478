// The TUI driven by keys, as ink-testing-library renders it: the map first, help, the command
// line, the request list with its filter, a request's hops, pause, and quitting.

import { describe, expect, test, vi } from 'vitest'
import type { EndpointRow } from '../../../src/cli/tui/pods.ts'
import { colorWanted, wantsTui } from '../../../src/cli/tui/run.ts'
import type { TuiSource } from '../../../src/cli/tui/source.ts'
import { mountApp } from '../../helpers/tui.ts'
import { GATEWAY2, request, TWO_NETWORKS } from './fixture.ts'
import { viewSource } from './fixture-networks.ts'

const fakeSource = () => viewSource(TWO_NETWORKS, ['192.168.1.246:15443', GATEWAY2])

const mount = async (source: TuiSource, onQuit = () => {}) => {
  const app = await mountApp(source, { refreshMs: 20, onQuit })
  return { app, frame: app.frame, press: app.type }
}

describe('App', () => {
  test('opens on the map: networks holding clusters, control planes, gateways, versions', async () => {
    const { frame } = await mount(fakeSource())
    const f = frame()
    expect(f).toContain('meshsim two-networks <map> requests')
    expect(f).toMatch(/istiod primary v2 ✓ synced/)
    expect(f).toMatch(/istiod primary v2 ! 1 stale of 3/)
    expect(f).toContain('gateway 192.168.1.247:15443')
    expect(f).toContain('helloworld v1')
    expect(f).toContain('helloworld v2')
    expect(f).toContain('no traffic yet')
  })

  test('draws live edges on the next refresh, not per record', async () => {
    const source = fakeSource()
    const { frame } = await mount(source)
    for (let i = 0; i < 6; i++) for (const r of request(i % 2 ? 'v1' : 'v2')) source.emit(r)
    await vi.waitFor(() => expect(frame()).toContain('sleep @cluster1 → helloworld'))
    expect(frame()).toMatch(/helloworld v1 @cluster1 +████░░░░ +50% .* mTLS -/)
    expect(frame()).toMatch(/helloworld v2 @cluster2 +████░░░░ +50% .* mTLS gw/)
  })

  test('? shows help, esc goes back, an unknown command says so', async () => {
    const { press } = await mount(fakeSource())
    await press('?', (f) => f.includes('filter requests (! negates)'))
    await press('\u001b', (f) => f.includes('network network1'))
    await press(':', (f) => f.includes(':█'))
    await press('nope', (f) => f.includes(':nope█'))
    await press('\r', (f) => f.includes('unknown command :nope'))
  })

  test(':req lists requests; / filters, ! negates; enter opens the hops; esc returns', async () => {
    const source = fakeSource()
    const { press, frame } = await mount(source)
    const [out, inb] = request('v2')
    source.emit(out)
    source.emit(inb)
    for (const r of request('v1', { code: 503, flags: ['UF'] })) source.emit(r)
    await press(':req\r', (f) => f.includes('<requests>') && f.includes('4 records'))
    await press('/UF\r', (f) => f.includes('2 records') && f.includes('filter UF'))
    await press('/!UF\r', (f) => f.includes('2 records') && f.includes('filter !UF'))
    expect(frame()).not.toContain(' UF ')
    // The newest record (v2's inbound) is selected; k moves to its outbound.
    await press('k', (f) => /^>.*outbound/m.test(f))
    await press('\r', (f) => f.includes('1. client sidecar'))
    const hops = frame()
    expect(hops).toContain(`request ${out.requestId}`)
    expect(hops).toContain(`2. gateway ${GATEWAY2}`)
    expect(hops).toContain('3. server sidecar')
    expect(hops).toMatch(/… \d+ more \(↓\/j\)/)
    // The record is longer than the screen: j scrolls to the server sidecar's last lines, k back.
    await press('jjjjjjjjjjjjjjjjjjjj', (f) =>
      f.includes('peer     spiffe://cluster.local/ns/sample/sa/sleep'),
    )
    expect(frame()).not.toContain('more (↓/j)')
    expect(frame()).toContain(`request ${out.requestId}`)
    await press('k', (f) => f.includes('… 1 more (↓/j)'))
    await press('\u001b', (f) => f.includes('<requests>') && f.includes('records'))
  })

  test("the hops read the client proxy's endpoints once per opened request", async () => {
    const reads: string[] = []
    const source = {
      ...fakeSource(),
      upstream: async (cluster: string, ns: string, pod: string, upstreamCluster: string) => {
        reads.push(`${cluster}/${ns}/${pod} ${upstreamCluster}`)
        const reaches = reads.length === 1 ? 'gateway of cluster2 (network2)' : 'somewhere new'
        const ep: EndpointRow = {
          host: GATEWAY2,
          status: 'HEALTHY',
          outlier: 'OK',
          weight: 3,
          reaches,
          remote: true,
        }
        return { network: 'network1', endpoints: [ep] }
      },
    }
    const { press } = await mount(source)
    for (const r of [...request('v2'), ...request('v2')]) source.emit(r)
    await press(':req\r', (f) => f.includes('4 records'))
    await press('\r', (f) => f.includes(`${GATEWAY2}: gateway of cluster2 (network2), weight 3`))
    expect(reads).toEqual([
      'cluster1/sample/sleep-1 outbound|5000||helloworld.sample.svc.cluster.local',
    ])
    await press('\u001b', (f) => f.includes('4 records'))
    await press('kk\r', (f) => f.includes(`${GATEWAY2}: somewhere new, weight 3`))
    expect(reads).toHaveLength(2)
  })

  test('p pauses the request list until pressed again', async () => {
    const source = fakeSource()
    const { press, frame } = await mount(source)
    await press(':req\r', (f) => f.includes('0 records'))
    await press('p', (f) => f.includes('PAUSED'))
    for (const r of request('v1')) source.emit(r)
    // Several refreshes pass without the list moving.
    await vi.waitFor(() => expect(frame()).toContain('0 records'))
    await press('p', (f) => f.includes('2 records') && !f.includes('PAUSED'))
  })

  test('keys arriving in one chunk (tmux, paste) run as typed', async () => {
    const { app, frame } = await mount(fakeSource())
    app.write(':req\r')
    await vi.waitFor(() => expect(frame()).toContain('<requests>'))
    app.write(':map\r')
    await vi.waitFor(() => expect(frame()).toContain('<map>'))
  })

  test('q and Ctrl-C ask to quit; l without a sleep pod says so', async () => {
    const onQuit = vi.fn()
    const { press, app } = await mount(fakeSource(), onQuit)
    await press('l', (f) => f.includes('no sleep pod'))
    app.write('q')
    app.write('\u0003')
    await vi.waitFor(() => expect(onQuit).toHaveBeenCalledTimes(2))
  })

  test('every frame fits in 80 columns and 23 rows', async () => {
    const source = fakeSource()
    const { frame } = await mount(source)
    for (let i = 0; i < 40; i++) for (const r of request(i % 3 ? 'v1' : 'v2')) source.emit(r)
    await vi.waitFor(() => expect(frame()).toContain('helloworld v2 @cluster2'))
    const lines = frame().split('\n')
    expect(lines.length).toBeLessThanOrEqual(23)
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80)
  })
})

describe('choosing the TUI', () => {
  const tty = { output: 'text' as const, stdinTTY: true, stdoutTTY: true, env: {} }
  test('only on two terminals, outside CI, with text output, unless forced', () => {
    expect(wantsTui(tty)).toBe(true)
    expect(wantsTui({ ...tty, stdinTTY: false })).toBe(false)
    expect(wantsTui({ ...tty, stdoutTTY: false })).toBe(false)
    expect(wantsTui({ ...tty, env: { CI: 'true' } })).toBe(false)
    expect(wantsTui({ ...tty, output: 'json' })).toBe(false)
    expect(wantsTui({ ...tty, flag: false })).toBe(false)
    expect(wantsTui({ ...tty, stdoutTTY: false, env: { CI: '1' }, flag: true })).toBe(true)
  })
  test('NO_COLOR (any value) and TERM=dumb turn colour off', () => {
    expect(colorWanted({})).toBe(true)
    expect(colorWanted({ NO_COLOR: '1' })).toBe(false)
    expect(colorWanted({ TERM: 'dumb' })).toBe(false)
  })
})
