// Choosing where load goes: the `:` command line's grammar (views with a cluster scope, :load
// with on/off, a rate, from and to), and LoadControl moving load from one pod's capture port to
// another's, checked on real loopback HTTP servers standing in for the sidecars.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, onTestFinished, test, vi } from 'vitest'
import { parseCommand } from '../../../src/cli/tui/commands.ts'
import { LoadControl, loadLabel } from '../../../src/cli/tui/load.ts'
import type { LoadTarget } from '../../../src/cli/tui/source.ts'

describe('parseCommand', () => {
  test('views by name or alias, :pods and :svc scoped to a cluster', () => {
    expect(parseCommand('po')).toEqual({ kind: 'go', screen: 'pods' })
    expect(parseCommand('pods @cluster2')).toEqual({
      kind: 'go',
      screen: 'pods',
      scope: 'cluster2',
    })
    expect(parseCommand('services cluster1')).toEqual({
      kind: 'go',
      screen: 'svc',
      scope: 'cluster1',
    })
    expect(parseCommand('trust x')).toEqual({ kind: 'go', screen: 'trust' })
    expect(parseCommand(' req ')).toEqual({ kind: 'go', screen: 'requests' })
    expect(parseCommand('q!')).toEqual({ kind: 'quit' })
    expect(parseCommand('xray svc')).toEqual({ kind: 'unknown', text: 'xray' })
  })

  test(':load takes on/off, a rate, from POD[@CLUSTER] and to SERVICE in any order', () => {
    expect(parseCommand('load')).toEqual({ kind: 'load', on: true })
    expect(parseCommand('load off')).toEqual({ kind: 'load', on: false })
    expect(parseCommand('load 50')).toEqual({ kind: 'load', on: true, rps: 50 })
    expect(parseCommand('load from sleep@cluster2 to helloworld 20')).toEqual({
      kind: 'load',
      on: true,
      rps: 20,
      from: 'sleep@cluster2',
      to: 'helloworld',
    })
    expect(parseCommand('load to http://httpbin.sample:8000/get')).toEqual({
      kind: 'load',
      on: true,
      to: 'http://httpbin.sample:8000/get',
    })
    expect(parseCommand('load from')).toEqual({ kind: 'unknown', text: 'load from' })
  })
})

/** A stand-in for a sidecar's capture port: records the absolute URLs it is asked for. */
async function capturePort(): Promise<{ port: number; urls: string[] }> {
  const urls: string[] = []
  const server: Server = createServer((req, res) => {
    urls.push(req.url ?? '')
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  return { port: (server.address() as AddressInfo).port, urls }
}

describe('LoadControl', () => {
  test('sends from the target it is given, and after retarget only from the new one', async () => {
    const a = await capturePort()
    const b = await capturePort()
    const from = (port: number, pod: string, url: string): LoadTarget => ({
      from: `cluster1/sample/${pod}`,
      port,
      url,
    })
    const control = new LoadControl(from(a.port, 'sleep-1', 'http://helloworld.sample:5000/hello'))
    onTestFinished(() => control.close())
    expect(control.setRate(200)).toBe(
      'load 200 rps: sleep-1@cluster1 → helloworld.sample:5000/hello',
    )
    await vi.waitFor(() => expect(a.urls.length).toBeGreaterThan(2))
    expect(new Set(a.urls)).toEqual(new Set(['http://helloworld.sample:5000/hello']))

    const target = from(b.port, 'sleep-2', 'http://httpbin.sample:8000/headers')
    expect(control.retarget(target)).toBe('load on: sleep-2@cluster1 → httpbin.sample:8000/headers')
    const before = a.urls.length
    await vi.waitFor(() => expect(b.urls.length).toBeGreaterThan(2))
    expect(new Set(b.urls)).toEqual(new Set(['http://httpbin.sample:8000/headers']))
    // The old generator was closed: at most the requests already in flight reached a.
    expect(a.urls.length - before).toBeLessThanOrEqual(1)
    expect(control.stats()?.rps).toBe(200)
    expect(control.step(true)).toMatch(/^load 500 rps/)
    expect(control.step(false)).toMatch(/^load 200 rps/)
    expect(control.toggle(false)).toBe('load off')
    expect(control.stats()?.running).toBe(false)
  })

  test('without a target it says there is no pod to send from', () => {
    const control = new LoadControl()
    expect(control.toggle()).toBe('no sleep pod with a sidecar to send load from')
    expect(control.stats()).toBeUndefined()
    expect(loadLabel({ from: 'c2/ns/p', port: 1, url: 'https://x:1/y' })).toBe('p@c2 → x:1/y')
  })
})
