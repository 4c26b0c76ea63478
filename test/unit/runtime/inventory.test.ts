import { describe, expect, test } from 'vitest'
import { loadTopologyFile } from '../../../src/config/index.ts'
import { buildInventory } from '../../../src/runtime/index.ts'
import { load, TWO_NETWORKS } from '../../helpers/topologies.ts'

describe('the inventory a topology deploys', () => {
  const [c1, c2] = buildInventory(loadTopologyFile('examples/two-networks.yaml'))

  test('each cluster runs istiod, its east-west gateway and the workloads, as Deployments name pods', () => {
    expect(
      c1?.pods.map((p) => `${p.namespace}/${p.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, '-*')}`),
    ).toEqual([
      'istio-system/istiod-*',
      'istio-system/istio-eastwestgateway-*',
      'sample/helloworld-v1-*',
      'sample/sleep-*',
    ])
    expect(c2?.pods.find((p) => p.app === 'helloworld')).toMatchObject({
      version: 'v2',
      serviceAccount: 'default',
      network: 'network2',
    })
  })

  test('pod IPs come from the pod CIDR and ClusterIPs from the service CIDR, all distinct', () => {
    for (const inv of [c1, c2]) {
      const ips = inv?.pods.map((p) => p.ip) ?? []
      expect(new Set(ips).size).toBe(ips.length)
    }
    expect(c1?.pods.every((p) => p.ip.startsWith('10.10.'))).toBe(true)
    expect(c2?.services.every((s) => s.clusterIP.startsWith('10.200.'))).toBe(true)
    expect(c1?.services.map((s) => s.clusterIP)).not.toContain('10.100.0.1')
  })

  test('services are named by host as Kubernetes DNS answers them', () => {
    expect(c1?.services.map((s) => s.host)).toEqual([
      'istiod.istio-system.svc.cluster.local',
      'istio-eastwestgateway.istio-system.svc.cluster.local',
      'helloworld.sample.svc.cluster.local',
      'sleep.sample.svc.cluster.local',
    ])
    expect(c1?.services.find((s) => s.name === 'helloworld')?.ports).toEqual([
      { name: 'http', port: 5000, targetPort: 5000, protocol: 'HTTP' },
    ])
  })

  test('the same topology always gives the same names and addresses', () => {
    expect(buildInventory(loadTopologyFile('examples/two-networks.yaml'))).toEqual([c1, c2])
  })

  test('a fixed clusterIP is kept and never handed to another Service; replicas get their own pods', () => {
    const spec = load(
      TWO_NETWORKS.replace('sample: sleep }', 'sample: sleep, clusterIP: 10.100.0.2 }').replace(
        'version: v2, sample: helloworld }',
        'version: v2, sample: helloworld, replicas: 3 }',
      ),
    )
    const [a, b] = buildInventory(spec)
    expect(a?.services.find((s) => s.name === 'sleep')?.clusterIP).toBe('10.100.0.2')
    expect(a?.services.filter((s) => s.clusterIP === '10.100.0.2')).toHaveLength(1)
    const hello = b?.pods.filter((p) => p.app === 'helloworld') ?? []
    expect(hello).toHaveLength(3)
    expect(new Set(hello.map((p) => p.name)).size).toBe(3)
  })
})
