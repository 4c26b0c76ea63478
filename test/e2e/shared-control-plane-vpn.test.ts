// The older shared-control-plane install on one flat network (Istio 1.1 to 1.7): cluster2's
// proxies reach pilot in cluster1 directly at its pod IP, and every pod IP is routable. Restarting
// the control plane gives it a new IP; the remote's proxies keep dialing the old one and go stale
// (Istio issue 4822), still serving, until the remote is pointed at the new address.

import { readFileSync } from 'node:fs'
import { describe, expect, test, vi } from 'vitest'
import { clusterId } from '../../src/model/index.ts'
import type { Mesh } from '../../src/runtime/index.ts'
import { adminOf, cli } from '../helpers/cli.ts'
import { tally } from '../helpers/mesh.ts'
import { problemsOf } from '../helpers/topologies.ts'
import { endpointsOf, exampleSpec, HELLO, HELLO_CLUSTER, sharedMesh } from '../helpers/traffic.ts'

const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')
const FILE = 'shared-control-plane-vpn.yaml'

const remoteStatuses = (mesh: Mesh) =>
  mesh
    .proxyStatus()
    .filter((s) => s.cluster === c2)
    .map((s) => s.status)

describe(FILE, () => {
  const mesh = sharedMesh(() => exampleSpec(FILE), { seed: 3, connectTimeoutMs: 200 })

  test("sleep in each cluster reaches both versions pod to pod; the remote's proxies dial pilot's pod IP", async () => {
    const m = mesh()
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(Object.keys(await tally(m, `${cluster}/sample/sleep`, HELLO, 20)).sort()).toEqual([
        'v1',
        'v2',
      ])
      expect(endpointsOf(m, `${cluster}/sample/sleep`, HELLO_CLUSTER).map((e) => e.kind)).toEqual([
        'pod',
        'pod',
      ])
    }
    const pilot = m.istiod(c1)
    expect(pilot?.ip).toBe('10.10.0.2')
    const remoteSleep = m.pod('cluster2/sample/sleep')?.sidecar
    // Virtual fabric address and pilot's xDS port: nothing binds them on the host.
    expect(remoteSleep?.discoveryTarget).toMatchObject({ address: '10.10.0.2', port: 15011 })
    expect(remoteStatuses(m)).toEqual(['SYNCED', 'SYNCED'])
  })

  test('a restarted control plane comes back at a new IP; the remote goes stale but keeps serving until re-pointed', async () => {
    const m = mesh()
    const url = await adminOf(m)
    const before = m.istiod(c1)
    const restart = await cli([
      'rollout',
      'restart',
      'deployment/istiod',
      '-n',
      'istio-system',
      '--context',
      'cluster1',
      '--admin',
      url,
    ])
    expect(restart).toMatchObject({ code: 0, stdout: 'deployment.apps/istiod restarted\n' })
    const after = m.istiod(c1)
    if (after === undefined) throw new Error('no istiod after the restart')
    expect(after.ip).not.toBe(before?.ip)
    expect(after.name).not.toBe(before?.name)
    await vi.waitFor(() => expect(new Set(remoteStatuses(m))).toEqual(new Set(['STALE'])), {
      timeout: 5000,
      interval: 10,
    })
    // cluster1's own proxies find the new pod through its Service, as before (they reconnect).
    await vi.waitFor(
      () =>
        expect(
          m
            .proxyStatus()
            .filter((s) => s.cluster === c1)
            .every((s) => s.status === 'SYNCED'),
        ).toBe(true),
      { timeout: 5000, interval: 10 },
    )
    // Stale, not empty: the remote still serves both versions with its last config.
    expect(Object.keys(await tally(m, 'cluster2/sample/sleep', HELLO, 20)).sort()).toEqual([
      'v1',
      'v2',
    ])

    const repoint = await cli([
      'install',
      '--context',
      'cluster2',
      '--set',
      `values.global.remotePilotAddress=${after.ip}`,
      '--admin',
      url,
    ])
    expect(repoint.code).toBe(0)
    await vi.waitFor(() => expect(new Set(remoteStatuses(m))).toEqual(new Set(['SYNCED'])), {
      timeout: 5000,
      interval: 10,
    })
  })
})

test('clusters of one flat network need unique pod CIDRs: an overlap names both clusters', () => {
  const text = readFileSync(new URL(`../../examples/${FILE}`, import.meta.url), 'utf8').replace(
    'podCIDR: 10.20.0.0/16',
    'podCIDR: 10.10.128.0/17',
  )
  const messages = problemsOf(text).map((p) => p.message)
  expect(messages).toContainEqual(
    expect.stringMatching(/cluster2 .*overlaps podCIDR 10\.10\.0\.0\/16 of cluster cluster1/),
  )
})
