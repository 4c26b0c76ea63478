import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { loadTopologyFile } from '../../../src/config/index.ts'
import { load, TWO_NETWORKS } from '../../helpers/topologies.ts'

describe('loading a valid topology', () => {
  test('the two-networks example loads as the multi-primary, multi-network mesh of the install guide', () => {
    const spec = loadTopologyFile('examples/two-networks.yaml')
    expect(spec.meshID).toBe('mesh1')
    expect(spec.trustDomain).toBe('cluster.local')
    expect(spec.networks.map((n) => n.name)).toEqual(['network1', 'network2'])
    expect(
      spec.clusters.map((c) => ({
        name: c.name,
        network: c.network,
        mode: c.controlPlane.mode,
        gateway: c.eastWestGateway,
        secrets: c.remoteSecrets,
      })),
    ).toEqual([
      {
        name: 'cluster1',
        network: 'network1',
        mode: 'primary',
        gateway: { address: '192.168.1.246', port: 15443, deployment: 'istio-eastwestgateway' },
        secrets: ['cluster2'],
      },
      {
        name: 'cluster2',
        network: 'network2',
        mode: 'primary',
        gateway: { address: '192.168.1.247', port: 15443, deployment: 'istio-eastwestgateway' },
        secrets: ['cluster1'],
      },
    ])
    const apps = spec.clusters.map((c) =>
      c.workloads.map((w) => `${w.namespace}/${w.app}/${w.version ?? '-'}`),
    )
    expect(apps).toEqual([
      ['sample/helloworld/v1', 'sample/sleep/-'],
      ['sample/helloworld/v2', 'sample/sleep/-'],
    ])
  })

  test('defaults come from Istio and the sample apps when fields are left out', () => {
    const spec = load(TWO_NETWORKS)
    expect(spec.meshID).toBe('t')
    expect(spec.trustDomain).toBe('cluster.local')
    expect(spec.ca).toEqual({
      root: { generate: true, keyAlgorithm: 'ECDSA' },
      workloadKeyAlgorithm: 'ECDSA',
      workloadCertTTL: 24 * 3600 * 1000,
    })
    const [hello, sleep] = spec.clusters[0]?.workloads ?? []
    expect(hello).toEqual({
      namespace: 'sample',
      app: 'helloworld',
      version: 'v1',
      replicas: 1,
      serviceAccount: 'default',
      sample: 'helloworld',
      ports: [{ name: 'http', port: 5000, targetPort: 5000, protocol: 'HTTP' }],
    })
    expect(sleep?.serviceAccount).toBe('sleep')
    expect(spec.clusters[0]?.controlPlane).toEqual({ mode: 'primary' })
  })

  test('the loaded spec is deeply frozen', () => {
    const spec = load(TWO_NETWORKS)
    expect(Object.isFrozen(spec)).toBe(true)
    expect(Object.isFrozen(spec.clusters[0]?.workloads[0]?.ports[0])).toBe(true)
    expect(() => {
      ;(spec.clusters as unknown as unknown[]).push({})
    }).toThrow(TypeError)
  })

  test('relative cacerts and root files resolve against the topology file folder', () => {
    const text = TWO_NETWORKS.replace(
      '  networks:',
      '  ca:\n    root: { certFile: certs/root-cert.pem, keyFile: certs/root-key.pem }\n  networks:',
    ).replace(
      '      remoteSecrets: [cluster2]',
      '      remoteSecrets: [cluster2]\n      cacerts: certs/cluster1',
    )
    const spec = load(text)
    expect(spec.ca.root).toEqual({
      generate: false,
      certFile: '/topo/certs/root-cert.pem',
      keyFile: '/topo/certs/root-key.pem',
    })
    expect(spec.clusters[0]?.cacerts).toBe('/topo/certs/cluster1')
  })

  test('a remote cluster keeps its primary and remotePilotAddress', () => {
    const text = TWO_NETWORKS.replace(
      '      remoteSecrets: [cluster1]\n',
      '      controlPlane: { mode: remote, primary: cluster1, remotePilotAddress: 192.168.1.246 }\n',
    )
    const spec = load(text)
    expect(spec.clusters[1]?.controlPlane).toEqual({
      mode: 'remote',
      primary: 'cluster1',
      remotePilotAddress: '192.168.1.246',
    })
  })

  test('the example file is valid against the JSON Schema published in docs/', () => {
    const published = JSON.parse(readFileSync('docs/mesh.schema.json', 'utf8'))
    expect(
      published.properties.spec.properties.clusters.items.properties.clusterName.description,
    ).toMatch(/clusterName/)
  })
})
