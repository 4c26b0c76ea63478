// IST0126: meshNetworks naming a registry the istiod does not know. Known: Mock, Kubernetes,
// External, the istiod's own cluster (meshsim names it so), and clusters it has remote secrets for.

import { describe, expect, test } from 'vitest'
import { analyze } from '../../../src/analysis/index.ts'
import type { MeshNetwork } from '../../../src/model/index.ts'
import { clusterId } from '../../../src/model/index.ts'
import { cluster, located, res } from './fixtures.ts'

const networks = (...registries: string[]): Record<string, MeshNetwork> =>
  Object.fromEntries(
    registries.map((r, i) => [
      `network${i + 1}`,
      {
        endpoints: [{ fromRegistry: clusterId(r) }],
        gateways: [{ address: '0.0.0.0', port: 443 }],
      },
    ]),
  )

describe('fromRegistry names (IST0126)', () => {
  test("an unknown registry is an Error on MeshNetworks istio-system/meshnetworks, with Istio's text", () => {
    const input = {
      clusters: [cluster('cluster1')],
      meshNetworks: { networks: networks('cluster1', 'cluster3') },
    }
    expect(analyze(input)).toEqual([
      {
        level: 'Error',
        code: 'IST0126',
        resource: {
          kind: 'MeshNetworks',
          namespace: 'istio-system',
          name: 'meshnetworks',
          cluster: 'cluster1',
        },
        message: 'Unknown service registry cluster3 in network network2',
        documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0126/',
      },
    ])
  })

  test('Kubernetes, remote secrets of the topology and istio/multiCluster Secrets are known', () => {
    const secret = res({
      kind: 'Secret',
      metadata: {
        name: 'istio-remote-secret-cluster4',
        namespace: 'istio-system',
        labels: { 'istio/multiCluster': 'true' },
        annotations: { 'networking.istio.io/cluster': 'cluster4' },
      },
      stringData: {
        cluster4:
          'apiVersion: v1\nkind: Config\nclusters:\n- name: cluster4\n  cluster:\n    server: https://api.cluster4.meshsim.local:6443\ncontexts:\n- name: cluster4\n  context: {cluster: cluster4, user: cluster4}\ncurrent-context: cluster4\nusers:\n- name: cluster4\n  user: {token: x}\n',
      },
    })
    const c1 = cluster('cluster1', { remoteSecrets: ['cluster2'], resources: located(secret) })
    const input = {
      clusters: [c1],
      meshNetworks: { networks: networks('Kubernetes', 'cluster2', 'cluster4') },
    }
    expect(analyze(input)).toEqual([])
  })

  test('a remote cluster runs no istiod: nothing reads meshNetworks there', () => {
    const input = {
      clusters: [cluster('cluster2', { primary: false })],
      meshNetworks: { networks: networks('cluster9') },
    }
    expect(analyze(input)).toEqual([])
  })

  test("the istio ConfigMap in a primary replaces the topology's meshNetworks for its istiod", () => {
    const cm = res({
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: {
        meshNetworks:
          'networks:\n  network1:\n    endpoints:\n    - fromRegistry: cluster7\n    gateways:\n    - address: 0.0.0.0\n      port: 443\n',
      },
    })
    const input = {
      clusters: [cluster('cluster1', { resources: located(cm) })],
      meshNetworks: { networks: networks('cluster9') },
    }
    expect(analyze(input).map((m) => m.message)).toEqual([
      'Unknown service registry cluster7 in network network1',
    ])
  })
})
