// The real `meshsim up examples/two-networks.yaml --tui` in a terminal (a private tmux server,
// 80x24): the map, load started from the TUI until both helloworld versions carry traffic, a
// resize, the request log filtered to the server side and one cross-network request's hops, then
// q: exit status 0, the admin port closed, the run file gone.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, onTestFinished, test, vi } from 'vitest'
import { Tmux } from '../helpers/tmux.ts'

/** Whether something still accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

const width = (lines: readonly string[]) => Math.max(...lines.map((l) => [...l].length))

test('meshsim up --tui in tmux: map, load from the TUI, resize, filtered requests, hops, clean quit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshsim-tui-'))
  const runFile = join(dir, 'run.json')
  const record = join(dir, 'terminal.out')
  const tmux = await Tmux.start({
    command: [
      process.execPath,
      'src/cli/main.ts',
      'up',
      'examples/two-networks.yaml',
      '--admin',
      '127.0.0.1:0',
      '--tui',
    ],
    columns: 80,
    rows: 24,
    env: { ...process.env, MESHSIM_RUN_FILE: runFile },
    // --tui must draw live under CI too (ink alone would render only the last frame there).
    extraEnv: { CI: 'true' },
    cwd: process.cwd(),
    record,
  })
  onTestFinished(async () => {
    await tmux.kill()
    rmSync(dir, { recursive: true, force: true })
  })
  let screen: string[] = []
  const text = () => screen.join('\n')
  const poll = { timeout: 8_000, interval: 50 }

  // The map: both networks' gateways, the header first and the key line last, all within 80x24.
  await vi.waitFor(
    async () => {
      screen = await tmux.screen()
      expect(text()).toContain('gateway 192.168.1.246:15443')
      expect(text()).toContain('gateway 192.168.1.247:15443')
    },
    { ...poll, timeout: 12_000 },
  )
  expect(screen).toHaveLength(24)
  expect(screen[0]).toMatch(/^meshsim two-networks <map> .* load off$/)
  expect(screen.findLastIndex((l) => l !== '')).toBe(22)
  expect(screen[22]).toContain('? help')
  expect(width(screen)).toBeLessThanOrEqual(80)
  const admin = new URL((JSON.parse(readFileSync(runFile, 'utf8')) as { admin: string }).admin)

  // Load from the TUI: live edges to both versions, each with a share and a rate above zero.
  await tmux.type(':load 50')
  await tmux.press('Enter')
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    const v1 = /helloworld v1 @cluster1 +[█░]{8} +(\d+)% +([\d.]+) .* mTLS +-(\s|$)/.exec(text())
    const v2 = /helloworld v2 @cluster2 +[█░]{8} +(\d+)% +([\d.]+) .* mTLS +gw\b/.exec(text())
    expect(Number(v1?.[1])).toBeGreaterThan(0)
    expect(Number(v1?.[2])).toBeGreaterThan(0)
    expect(Number(v2?.[1])).toBeGreaterThan(0)
    expect(Number(v2?.[2])).toBeGreaterThan(0)
    expect(text()).toMatch(/load 50 rps +ok [1-9]/)
  }, poll)
  expect(text()).toContain('sleep @cluster1 → helloworld')
  expect(width(screen)).toBeLessThanOrEqual(80)

  // A resize re-lays the frame out: the boxes span the new width, the key line moves down.
  await tmux.resize(100, 30)
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(screen).toHaveLength(30)
    const top = screen.find((l) => l.startsWith('╭')) ?? ''
    expect([...top]).toHaveLength(100)
    expect(screen.findLastIndex((l) => l !== '')).toBe(28)
  }, poll)
  expect(width(screen)).toBeLessThanOrEqual(100)
  expect(text()).toMatch(/helloworld v2 @cluster2 .* mTLS +gw\b/)

  // The request log filtered to the server side: inbound records at both versions only.
  await tmux.type(':load off')
  await tmux.press('Enter')
  await tmux.type(':req')
  await tmux.press('Enter')
  await tmux.type('/inbound')
  await tmux.press('Enter')
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(screen[0]).toMatch(/<requests>.* filter inbound +load off$/)
    expect(screen.some((l) => l.startsWith('>'))).toBe(true)
  }, poll)
  const listed = screen.filter((l) => /^[ >]\d\d:\d\d:\d\d\.\d{3} /.test(l))
  expect(listed.length).toBeGreaterThan(10)
  expect(listed.every((l) => / inbound +200 /.test(l))).toBe(true)
  expect(listed.some((l) => l.includes('cluster1/helloworld-v1-'))).toBe(true)
  expect(listed.some((l) => l.includes('cluster2/helloworld-v2-'))).toBe(true)

  // One request served by v2 across the network (the filter is a regex): enter opens its hops.
  await tmux.type('/inbound.*cluster2/helloworld-v2')
  await tmux.press('Enter')
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(text()).toMatch(/^>.* inbound +200 .* cluster2\/helloworld-v2-/m)
  }, poll)
  await tmux.press('Enter')
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(text()).toContain('1. client sidecar')
    expect(text()).toContain('3. server sidecar')
  }, poll)
  expect(text()).toMatch(/^request \S+ {2}GET helloworld\.sample:5000\/hello$/m)
  expect(text()).toMatch(/1\. client sidecar\n {3}proxy +cluster1\/sample\/sleep-/)
  expect(text()).toMatch(/^ {3}endpoint 192\.168\.1\.247:15443$/m)
  expect(text()).toMatch(/^2\. gateway/m)
  expect(text()).toMatch(/3\. server sidecar\n {3}proxy +cluster2\/sample\/helloworld-v2-/)
  expect(text()).toMatch(/^ {3}SNI +outbound_\.5000_\._\.helloworld\.sample\.svc\.cluster\.local$/m)
  expect(text()).toMatch(/^ {3}ALPN +http\/1\.1$/m)
  // The client proxy's endpoints are read once the hops open.
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(text()).toMatch(/^ {3}why +1 of 2 endpoints, least request by weight$/m)
  }, poll)
  // The record is longer than the screen: j scrolls down to the server sidecar's peer.
  await tmux.type('jjjjjjjjjjjjjjjjjjjj')
  await vi.waitFor(async () => {
    screen = await tmux.screen()
    expect(text()).toMatch(/^ {3}peer +spiffe:\/\/cluster\.local\/ns\/sample\/sa\/sleep$/m)
  }, poll)
  expect(text()).not.toMatch(/… \d+ more/)
  expect(width(screen)).toBeLessThanOrEqual(100)

  // q: the TUI leaves the alternate screen, the mesh shuts down, the process exits 0.
  await tmux.type('q')
  const status = await vi.waitFor(async () => {
    const s = tmux.exitStatus()
    expect(s, `still running; the screen:\n${(await tmux.screen()).join('\n')}`).toBeDefined()
    return s
  }, poll)
  expect(status).toBe(0)
  // Ink owned the terminal throughout: one alternate screen, and after it only the goodbye.
  const raw = await vi.waitFor(() => {
    const r = readFileSync(record, 'utf8')
    expect(r).toContain('mesh stopped')
    return r
  }, poll)
  expect(raw.startsWith('\u001b[?1049h')).toBe(true)
  expect(raw.split('\u001b[?1049h')).toHaveLength(2)
  const after = raw.slice(raw.indexOf('\u001b[?1049l') + '\u001b[?1049l'.length)
  expect(after.replaceAll('\u001b[?25h', '').trim()).toBe('mesh stopped')
  expect(await listening(Number(admin.port))).toBe(false)
  expect(() => readFileSync(runFile)).toThrow(/ENOENT/)
})
