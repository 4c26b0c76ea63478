// Remote secrets and the istio ConfigMap applied while the mesh runs, as the guides do it:
// `meshsim x create-remote-secret --context cluster2 --name cluster2 | meshsim apply -f -
// --context cluster1` lets cluster1's istiod discover cluster2 (D4 shows the mesh without it),
// deleting it undoes that, a secret whose API server cannot be reached is reported and harms
// nothing (T7), and meshConfig serviceSettings make a host cluster-local until removed (T4).

import { describe, expect, test } from 'vitest'
import { clusterId } from '../../src/model/index.ts'
import { adminOf, cli } from '../helpers/cli.ts'
import { tally } from '../helpers/mesh.ts'
import { endpointsOf, exampleSpec, HELLO, HELLO_CLUSTER, sharedMesh } from '../helpers/traffic.ts'

const c1 = clusterId('cluster1')
const c2 = clusterId('cluster2')

describe('remote secrets on two-networks.yaml started without cluster1 -> cluster2', () => {
  const mesh = sharedMesh(() => exampleSpec('two-networks.yaml'), {
    seed: 9,
    withoutRemoteSecrets: [[c1, c2]],
  })

  test('without the secret cluster1 sees only its own endpoint and answers from v1 (D4)', async () => {
    const m = mesh()
    expect(endpointsOf(m, 'cluster1/sample/sleep', HELLO_CLUSTER).map((e) => e.kind)).toEqual([
      'pod',
    ])
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    // cluster2 still holds its secret for cluster1, so it keeps seeing both.
    expect(Object.keys(await tally(m, 'cluster2/sample/sleep', HELLO, 20)).sort()).toEqual([
      'v1',
      'v2',
    ])
  })

  test('create-remote-secret piped into apply adds cluster2; delete removes it again', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const secret = await cli([
      'x',
      'create-remote-secret',
      '--context',
      'cluster2',
      '--name',
      'cluster2',
      '--admin',
      admin,
    ])
    expect(secret.code).toBe(0)
    expect(secret.stdout).toContain('istio/multiCluster: "true"')
    expect(secret.stdout).toContain('name: istio-remote-secret-cluster2')
    expect(secret.stdout).toContain('server: https://api.cluster2.meshsim.local:6443')

    const applied = await cli(
      ['apply', '-f', '-', '--context', 'cluster1', '--admin', admin],
      secret.stdout,
    )
    expect(applied).toMatchObject({
      code: 0,
      stdout: 'secret/istio-remote-secret-cluster2 created\n',
    })
    await m.settled()
    expect(endpointsOf(m, 'cluster1/sample/sleep', HELLO_CLUSTER).map((e) => e.address)).toContain(
      '192.168.1.247',
    )
    expect(Object.keys(await tally(m, 'cluster1/sample/sleep', HELLO, 20)).sort()).toEqual([
      'v1',
      'v2',
    ])
    expect(m.clusters.get(c1)?.remotes?.status).toContainEqual({
      name: 'cluster2',
      secret: 'istio-system/istio-remote-secret-cluster2',
      status: 'synced',
    })

    const deleted = await cli(
      ['delete', '-f', '-', '--context', 'cluster1', '--admin', admin],
      secret.stdout,
    )
    expect(deleted.stdout).toBe('secret/istio-remote-secret-cluster2 deleted\n')
    await m.settled()
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
  })

  test('a secret whose API server cannot be reached is reported as timeout and changes nothing (T7)', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const bad = (
      await cli(['x', 'create-remote-secret', '--context', 'cluster2', '--admin', admin])
    ).stdout.replace('https://api.cluster2.meshsim.local:6443', 'https://255.255.255.255')
    expect(
      (await cli(['apply', '-f', '-', '--context', 'cluster1', '--admin', admin], bad)).code,
    ).toBe(0)
    await m.settled()
    expect(m.clusters.get(c1)?.remotes?.status).toContainEqual({
      name: 'cluster2',
      secret: 'istio-system/istio-remote-secret-cluster2',
      status: 'timeout',
    })
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    await cli(['delete', '-f', '-', '--context', 'cluster1', '--admin', admin], bad)
  })
})

describe('cluster-local services through the istio ConfigMap (T4)', () => {
  const mesh = sharedMesh(() => exampleSpec('multi-primary.yaml'), { seed: 4 })
  const configMap = (local: boolean) => `apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |-
    serviceSettings:
    - settings:
        clusterLocal: ${local}
      hosts:
      - helloworld.sample.svc.cluster.local
`

  test('a clusterLocal host keeps each caller in its own cluster, and removing it restores both', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    for (const cluster of ['cluster1', 'cluster2']) {
      const r = await cli(
        ['apply', '-f', '-', '--context', cluster, '--admin', admin],
        configMap(true),
      )
      expect(r).toMatchObject({ code: 0, stdout: 'configmap/istio created\n' })
    }
    await m.settled()
    expect(await tally(m, 'cluster1/sample/sleep', HELLO, 10)).toEqual({ v1: 10 })
    expect(await tally(m, 'cluster2/sample/sleep', HELLO, 10)).toEqual({ v2: 10 })

    for (const cluster of ['cluster1', 'cluster2']) {
      await cli(['apply', '-f', '-', '--context', cluster, '--admin', admin], configMap(false))
    }
    await m.settled()
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(Object.keys(await tally(m, `${cluster}/sample/sleep`, HELLO, 20)).sort()).toEqual([
        'v1',
        'v2',
      ])
    }
  })
})
