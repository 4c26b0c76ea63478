// The TUI's workload and trust views on a running two-networks mesh in 80x24: :pods, the sleep
// pod of cluster1 opened to its proxy endpoints (helloworld's local pod IP next to cluster2's
// east-west gateway, split horizon), load started from a chosen pod, and :trust.

import { expect, test, vi } from 'vitest'
import { meshSource } from '../../src/cli/tui/source.ts'
import { meshFromExample } from '../helpers/mesh.ts'
import { expectFits, mountApp } from '../helpers/tui.ts'

const HELLO = 'outbound|5000||helloworld.sample.svc.cluster.local'

async function tui() {
  const mesh = await meshFromExample('two-networks.yaml')
  return { mesh, ...(await mountApp(meshSource(mesh))) }
}

test('the sleep pod of cluster1 shows helloworld as its local pod IP and cluster2’s gateway in 80x24, and :svc the same split', async () => {
  const { mesh, frame, type } = await tui()
  const v1 = mesh.pods.find((p) => p.app === 'helloworld' && p.cluster === 'cluster1')
  await type(':pods\r', (f) => f.includes('<pods>') && f.includes('8 of 8'))
  expectFits(frame())
  expect(frame()).toMatch(
    /^>cluster1 +istio-system +istio-eastwestgateway-\S* +10\.10\.0\.3 +1\/1 +SYNCED/m,
  )
  expect(frame()).toMatch(/cluster2 +sample +sleep-\S+ +10\.20\.0\.\d+ +2\/2 +SYNCED/)
  expect(frame()).toMatch(/cluster1 +istio-system +istiod-\S+ +10\.10\.0\.2 +1\/1 +-/)
  // Down to cluster1's sleep pod (bounded by the list's length), then open its endpoints.
  for (let i = 0; i < 8 && !/^>cluster1 +sample +sleep/m.test(frame()); i++) {
    await type('j', (f) => /^>/m.test(f))
  }
  expect(frame()).toMatch(/^>cluster1 +sample +sleep/m)
  await type('\r', (f) => f.includes(HELLO))
  const lines = frame().split('\n')
  const at = lines.findIndex((l) => l.startsWith(HELLO))
  expect(lines[at]).toContain('1 local, 1 remote')
  expect(lines[at + 1]).toMatch(
    new RegExp(`^ +${v1?.ip.replaceAll('.', '\\.')}:5000 +OK +1 +local pod helloworld-v1`),
  )
  expect(lines[at + 2]).toMatch(
    /^ +192\.168\.1\.247:15443 +OK +1 +gateway of cluster2 \(network2\)/,
  )
  expect(frame()).toMatch(/^proxy sleep-\S+\.sample @cluster1 +config v\d+$/m)
  expect(frame()).toMatch(/^network1 10\.10\.0\.\d+ +split horizon/m)
  expectFits(frame())
  await type('\u001b', (f) => f.includes('<pods>') && f.includes('8 of 8'))
  await type('\u001b', (f) => f.includes('<map>'))

  // The same split from :svc, counted and listed as cluster1's first sidecar pod sees it.
  await type(':svc @cluster1\r/hello\r', (f) =>
    /^>cluster1 +sample +helloworld +5000\/HTTP +1 +1$/m.test(f),
  )
  await type('\r', (f) => f.includes(HELLO) && f.includes("cluster1's first sidecar pod sees it"))
  expect(frame()).toMatch(/^proxy helloworld-v1-\S+\.sample @cluster1/m)
  expect(frame()).toMatch(/^ +192\.168\.1\.247:15443 +OK +1 +gateway of cluster2/m)
  expect(frame()).not.toContain('istiod')
}, 30_000)

test('l on a pod row sends load from that pod; :load to and :load off retarget and stop it', async () => {
  const { frame, type } = await tui()
  await type(':pods cluster2\r', (f) => f.includes('pods @cluster2') && f.includes('4 of 8'))
  await type('/sleep\r', (f) => f.includes('1 of 8'))
  await type('l', (f) => /load on: sleep-\S+@cluster2 → helloworld\.sample:5000\/hello/.test(f))
  await type(':map\r', (f) => f.includes('<map>'))
  await vi.waitFor(() => expect(frame()).toContain('sleep @cluster2 → helloworld'), {
    timeout: 10_000,
    interval: 50,
  })
  await type(':load from sleep@cluster1 to helloworld.sample:5000/hello 20\r', (f) =>
    /load 20 rps: sleep-\S+@cluster1 → helloworld\.sample:5000\/hello/.test(f),
  )
  await vi.waitFor(() => expect(frame()).toContain('sleep @cluster1 → helloworld'), {
    timeout: 10_000,
    interval: 50,
  })
  await type(':load off\r', (f) => f.includes('load off'))
  await type(':load from nobody\r', (f) => f.includes('no pod nobody with a sidecar'))
}, 30_000)

test(':trust shows one root, an intermediate per cluster and workload certificates with time left', async () => {
  const { frame, type } = await tui()
  await type(':trust\r', (f) => f.includes('WORKLOAD CERTIFICATES'))
  const f = frame()
  expectFits(f)
  expect(f).toContain('ROOT  every proxy trusts this one root')
  expect(f).toMatch(/O=Istio, CN=Root CA +[0-9a-f…]+ +20\d\d-\d\d-\d\d \d\d:\d\d +expires in 9y/)
  expect(f).toMatch(/cluster1 +O=Istio, CN=Intermediate CA, L=cluster1 .*expires in/)
  expect(f).toMatch(/cluster2 +O=Istio, CN=Intermediate CA, L=cluster2 .*expires in/)
  // Workload certificates live 24h: the sleep pods' are listed under the trust domain.
  expect(f).toContain('spiffe://cluster.local/…')
  expect(f).toMatch(/cluster1 +ns\/sample\/sa\/sleep +[0-9a-f…]+ +\S+ \S+ +expires in 2[34]h/)
}, 30_000)
