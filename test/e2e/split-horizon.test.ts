// The older shared control plane across two networks (Istio 1.1): pilot in cluster1 configures
// both clusters, meshNetworks says where each network's ingress gateway is. With the install's
// placeholder address 0.0.0.0 the remote endpoints are unusable and only the local version
// answers; once the istio ConfigMap carries the real addresses, traffic splits and sleep's log
// shows the remote gateway for the remote version (the guide's verification, T12, D16).

import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { Mesh } from '../../src/runtime/index.ts'
import { adminOf, cli } from '../helpers/cli.ts'
import { recordsOf, tally } from '../helpers/mesh.ts'
import { endpointsOf, exampleSpec, HELLO, HELLO_CLUSTER, sharedMesh } from '../helpers/traffic.ts'

const NETWORKS = new URL('../../examples/manifests/split-horizon-networks.yaml', import.meta.url)

const addresses = (m: Mesh, pod: string) =>
  endpointsOf(m, pod, HELLO_CLUSTER).map((e) => `${e.address}:${e.port}`)

describe('split-horizon.yaml', () => {
  const mesh = sharedMesh(() => exampleSpec('split-horizon.yaml'), {
    seed: 2,
    connectTimeoutMs: 100,
  })

  test('with the placeholder gateway address, remote endpoints are unusable and only the local version answers', async () => {
    const m = mesh()
    const v1 = m.pod('cluster1/sample/helloworld')
    const v2 = m.pod('cluster2/sample/helloworld')
    // 0.0.0.0 is meshNetworks' placeholder gateway address, an endpoint value: nothing binds it.
    expect(addresses(m, 'cluster1/sample/sleep')).toEqual([`${v1?.ip}:5000`, '0.0.0.0:443'])
    expect(addresses(m, 'cluster2/sample/sleep')).toEqual([`${v2?.ip}:5000`, '0.0.0.0:443'])
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    expect(await tally(m, 'cluster2/sample/sleep', HELLO, 10)).toEqual({ v2: 10 })
    expect(
      (await m.pod('cluster1/sample/sleep')?.sidecar?.stats())?.upstream_cx_connect_fail,
    ).toBeGreaterThan(0)
  })

  test('cluster2 is configured by pilot in cluster1 through its ingress gateway on 15011', async () => {
    const m = mesh()
    const remote = m.pod('cluster2/sample/sleep')?.sidecar
    // Virtual fabric address and pilot's xDS port: nothing binds them on the host.
    expect(remote?.discoveryTarget).toMatchObject({ address: '192.168.1.246', port: 15011 })
    expect(
      m
        .proxyStatus()
        .filter((s) => s.cluster === 'cluster2')
        .every((s) => s.status === 'SYNCED'),
    ).toBe(true)
  })

  test('after the gateway addresses are set in the istio ConfigMap, both versions answer and the log shows the remote gateway', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const applied = await cli(
      ['apply', '-f', '-', '--context', 'cluster1', '--admin', admin],
      readFileSync(NETWORKS, 'utf8'),
    )
    expect(applied).toMatchObject({ code: 0, stdout: 'configmap/istio created\n' })
    await m.settled()
    const v1 = m.pod('cluster1/sample/helloworld')
    expect(addresses(m, 'cluster1/sample/sleep')).toEqual([`${v1?.ip}:5000`, '192.168.1.247:443'])

    const records = recordsOf(m)
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(Object.keys(await tally(m, `${cluster}/sample/sleep`, HELLO, 20)).sort()).toEqual([
        'v1',
        'v2',
      ])
    }
    const sleep1 = m.pod('cluster1/sample/sleep')
    const hosts = new Set(
      records
        .filter((r) => r.proxy === sleep1?.name && r.direction === 'outbound')
        .map((r) => r.upstreamHost),
    )
    expect(hosts).toEqual(new Set([`${v1?.ip}:5000`, '192.168.1.247:443']))
    // v2 was reached through cluster2's ingress gateway: the gateway pod is its downstream peer.
    const gw2 = m.gateways.find((g) => g.cluster === 'cluster2')
    const v2 = m.pod('cluster2/sample/helloworld')
    const fromC1 = records.filter((r) => r.proxy === v2?.name && r.direction === 'inbound')
    expect(fromC1.some((r) => r.downstreamRemoteAddress.startsWith(`${gw2?.pod.ip}:`))).toBe(true)
    expect(
      (await gw2?.proxy.stats())?.[
        'cluster.outbound_.5000_._.helloworld.sample.svc.cluster.local.upstream_cx_total'
      ],
    ).toBeGreaterThan(0)
  })
})
