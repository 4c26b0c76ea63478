// The :pods, :svc and proxy endpoints screens: a proxy's endpoints grouped so split horizon
// shows (local pod IPs, then remote gateways with their weights, ejected hosts FAILED), tables
// fitted to 80 columns and wider, and the keys that move between them and start load.

import { describe, expect, test, vi } from 'vitest'
import { grid } from '../../../src/cli/tui/grid.ts'
import { proxyEndpoints } from '../../../src/cli/tui/pods.ts'
import { endpointsScreen, podsScreen, servicesScreen } from '../../../src/cli/tui/pods-view.ts'
import type { LoadTarget, TuiSource } from '../../../src/cli/tui/source.ts'
import { expectFits, mountApp } from '../../helpers/tui.ts'
import { PODS, SERVICES, sleepDump, TWO_NETWORKS } from './fixture.ts'

const HELLO = 'outbound|5000||helloworld.sample.svc.cluster.local'

describe('proxyEndpoints', () => {
  test('puts clusters reaching another network first, local pod IPs before remote gateways', () => {
    const e = proxyEndpoints(sleepDump())
    expect(e.proxy).toBe('sleep-2464lxs77l-kw9vv.sample @cluster1')
    expect(e.version).toBe(3)
    expect(e.groups.map((g) => g.cluster)).toEqual([
      HELLO,
      'outbound|15010||istiod.istio-system.svc.cluster.local',
    ])
    expect(e.groups[0]?.endpoints).toEqual([
      {
        host: '10.10.0.4:5000',
        status: 'HEALTHY',
        outlier: 'OK',
        weight: 1,
        reaches: 'local pod helloworld-v1-ljcx7bn8gx-x4jzs @cluster1',
        remote: false,
      },
      {
        host: '192.168.1.247:15443',
        status: 'HEALTHY',
        outlier: 'OK',
        weight: 2,
        reaches: 'gateway of cluster2 (network2)',
        remote: true,
      },
    ])
  })

  test('marks a host outlier detection ejected as a FAILED check', () => {
    const e = proxyEndpoints(sleepDump({ ejected: [`${HELLO}|192.168.1.247:15443`] }))
    expect(e.groups[0]?.endpoints.map((x) => x.outlier)).toEqual(['OK', 'FAILED'])
  })
})

describe('screens', () => {
  test('the endpoints screen fits 80 columns and shows each gateway’s weight', () => {
    const page = endpointsScreen(proxyEndpoints(sleepDump()), 80)
    const text = [...page.head, ...page.body].map((l) => l.text)
    expect(text).toContain(`${HELLO}  1 local, 1 remote`)
    expect(text.join('\n')).toMatch(
      /^ +192\.168\.1\.247:15443 +OK +2 +gateway of cluster2 \(network2\)$/m,
    )
    expect(Math.max(...text.map((l) => l.length))).toBeLessThanOrEqual(80)
    // istioctl's STATUS column comes back where there is room.
    expect(endpointsScreen(proxyEndpoints(sleepDump()), 120).head[2]?.text).toMatch(/STATUS/)
  })

  test('the endpoints of one service leave out the other clusters', () => {
    const page = endpointsScreen(
      proxyEndpoints(sleepDump()),
      80,
      'helloworld.sample.svc.cluster.local',
    )
    expect(page.body.map((l) => l.text).join('\n')).not.toContain('istiod')
    expect(endpointsScreen(proxyEndpoints(sleepDump()), 80, 'nope.x').body[0]?.text).toBe(
      'no endpoints for nope.x',
    )
  })

  test('the pods table drops APP and VERSION at 80 columns, shows them at 140', () => {
    const narrow = podsScreen(PODS, PODS.length, '', 80)
    expect(narrow.head[1]?.text).toMatch(/^ CLUSTER +NAMESPACE +NAME +IP +READY +SYNC$/)
    expect(Math.max(...narrow.body.map((l) => l.text.length))).toBeLessThanOrEqual(79)
    const wide = podsScreen(PODS, PODS.length, '', 140)
    expect(wide.head[1]?.text).toMatch(/NAME +APP +VERSION +IP +PROXY +READY +SYNC/)
    expect(wide.body.map((l) => l.text)).toContain(
      'cluster2  sample        helloworld-v2-6xqfsqw72r-kpqfx          helloworld             v2       10.20.0.4  sidecar  2/2    STALE',
    )
    // A stale proxy says STALE in words, and is the row drawn as a warning.
    expect(wide.body[4]?.style).toBe('warn')
  })

  test('the services table counts local and remote endpoints', () => {
    const page = servicesScreen(SERVICES, 'cluster1', 80)
    expect(page.head[0]?.text).toMatch(/^services @cluster1/)
    expect(page.body[0]?.text).toMatch(/^cluster1 +sample +helloworld +5000\/HTTP +1 +2$/)
  })

  test('grid cuts the long columns to their floor with … before dropping optional ones', () => {
    const cols = [{ header: 'A' }, { header: 'LONG', min: 6 }, { header: 'OPT', drop: 1 }]
    const rows = [['a', 'abcdefghijkl', 'opt']]
    expect(grid(cols, rows, 18).lines).toEqual(['a  abcdefghi…  opt'])
    expect(grid(cols, rows, 12).lines).toEqual(['a  abcdefgh…'])
  })
})

function source(loads: string[]): TuiSource {
  return {
    name: 'two-networks',
    gateways: [],
    meshView: () => TWO_NETWORKS,
    subscribe: () => () => {},
    pods: () => PODS,
    services: () => SERVICES,
    endpoints: async (_cluster, _ns, pod) =>
      pod.startsWith('istiod') ? undefined : proxyEndpoints(sleepDump()),
    loadTarget: (from, to): LoadTarget | string => {
      loads.push(`${from} → ${to ?? ''}`)
      return 'not sending in a unit test'
    },
  }
}

describe('keys', () => {
  test(':pods, j to a sleep pod, enter opens its endpoints; esc goes back to pods, then the map', async () => {
    const { frame, type } = await mountApp(source([]))
    await type(':pods\r', (f) => f.includes('<pods>') && f.includes('6 of 6'))
    expectFits(frame())
    await type('jjj', (f) => /^>cluster1 +sample +sleep-/m.test(f))
    await type('\r', (f) => f.includes(`${HELLO}  1 local, 1 remote`))
    expect(frame()).toContain('map requests <pods> svc trust')
    expectFits(frame())
    await type('\u001b', (f) => /^>cluster1 +sample +sleep-/m.test(f))
    await type('\u001b', (f) => f.includes('<map>'))
  })

  test('keys arriving in one chunk each act on the row the key before selected', async () => {
    const { write, type } = await mountApp(source([]))
    // As tmux send-keys or a paste delivers them: one read holding `:pods⏎jjj⏎`.
    write(':pods\rjjj\r')
    await type('', (f) => f.includes(`${HELLO}  1 local, 1 remote`))
  })

  test(':pods @cluster2 and / narrow the list; l on a pod row asks for load from it', async () => {
    const loads: string[] = []
    const { type } = await mountApp(source(loads))
    await type(':po @cluster2\r', (f) => f.includes('pods @cluster2  2 of 6'))
    await type('/sleep\r', (f) => f.includes('1 of 6') && f.includes('filter sleep'))
    await type('l', (f) => f.includes('not sending in a unit test'))
    expect(loads).toEqual(['cluster2/sample/sleep-shqxn7bg8v-9h2lq → '])
    // The request list's grammar: a regex, case-insensitive.
    await type(':pods\r/HELLOWORLD-v[12]\r', (f) => f.includes('pods  2 of 6'))
    await type(':pods\r/istiod\r', (f) => /^>cluster1 +istio-system +istiod/m.test(f))
    await type('l', (f) => f.includes('istiod-2bmkdmdcdh-q59r8 has no sidecar to send load from'))
    await type('\r', (f) => f.includes('istiod-2bmkdmdcdh-q59r8 has no proxy'))
  })

  test('j and k scroll endpoints that do not fit, and say how many lines are below', async () => {
    const { frame, type } = await mountApp(source([]), { rows: 9 })
    await type(':pods\r/sleep-2464\r\r', (f) => f.includes(`${HELLO}  1 local, 1 remote`))
    expect(frame()).toContain('… 3 more (↓/j)')
    // Past the end stays at the end: one k after four j shows the line above.
    await type('jjjj', (f) => f.includes('outbound|15010||istiod') && !f.includes('more (↓/j)'))
    expect(frame()).not.toContain(HELLO)
    await type('k', (f) => f.includes('… 1 more (↓/j)'))
    expectFits(frame(), 80, 9)
  })

  test(':svc enter shows a service’s endpoints as the cluster’s first sidecar sees them', async () => {
    const { frame, type } = await mountApp(source([]))
    await type(':services\r', (f) => f.includes('<svc>'))
    await type('\r', (f) => f.includes("helloworld.sample as cluster1's first sidecar pod sees it"))
    await vi.waitFor(() => expect(frame()).toContain(HELLO))
    expect(frame()).not.toContain('istiod')
    expect(frame()).toContain('map requests pods <svc> trust')
    await type('\u001b', (f) => f.includes('<svc>') && f.includes('LOCAL'))
  })
})
