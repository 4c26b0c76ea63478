import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  certsLayout,
  createClusterCa,
  createMeshPki,
  createRootCa,
  writeLayout,
} from '../../../src/ca/index.ts'
import { loadTopologyFile } from '../../../src/config/index.ts'
import { clusterId } from '../../../src/model/index.ts'
import { load, TWO_NETWORKS } from '../../helpers/topologies.ts'

const start = new Date('2026-11-23T10:00:00Z')
const now = () => start

describe('the PKI a topology asks for', () => {
  test('the two-networks example gets one generated root and an intermediate per cluster under it', () => {
    const spec = loadTopologyFile('examples/two-networks.yaml')
    const pki = createMeshPki(spec.ca, spec.clusters, { now })
    expect([...pki.clusters.keys()]).toEqual(['cluster1', 'cluster2'])
    for (const ca of pki.clusters.values()) {
      expect(ca.certificate.checkIssued(pki.root.certificate)).toBe(true)
      expect(ca.rootCertPem).toBe(pki.root.certPem)
      expect(ca.subject).toBe(`O=Istio, CN=Intermediate CA, L=${ca.clusterName}`)
    }
  })

  test('workload certificates follow the topology key type and lifetime', () => {
    const spec = load(
      TWO_NETWORKS.replace(
        '  networks:',
        '  ca:\n    workloadCertTTL: 1h\n    workloadKeyAlgorithm: ECDSA\n  networks:',
      ),
    )
    const pki = createMeshPki(spec.ca, spec.clusters, { now })
    const secret = pki.clusters
      .get(clusterId('cluster2'))
      ?.issueWorkload({ identity: 'spiffe://cluster.local/ns/sample/sa/sleep' as never })
    expect(secret?.notAfter.getTime()).toBe(start.getTime() + 3600_000)
    expect(secret?.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/)
  })

  test('a root from files signs the clusters without cacerts; a cluster with cacerts keeps its own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshsim-pki-'))
    const root = createRootCa({ now })
    writeLayout(certsLayout(dir, root, [createClusterCa(root, 'cluster2', { now })]))
    const spec = load(
      TWO_NETWORKS.replace(
        '  networks:',
        '  ca:\n    root: { certFile: root-cert.pem, keyFile: root-key.pem }\n  networks:',
      ).replace(
        '      remoteSecrets: [cluster1]\n',
        '      remoteSecrets: [cluster1]\n      cacerts: cluster2\n',
      ),
    )
    const resolved = {
      ...spec.ca,
      root: {
        generate: false as const,
        certFile: join(dir, 'root-cert.pem'),
        keyFile: join(dir, 'root-key.pem'),
      },
    }
    const clusters = spec.clusters.map((c) =>
      c.cacerts ? { ...c, cacerts: join(dir, 'cluster2') } : c,
    )
    const pki = createMeshPki(resolved, clusters, { now })
    expect(pki.root.certPem).toBe(root.certPem)
    expect(pki.clusters.get(clusterId('cluster2'))?.certPem).toBe(
      readFileSync(join(dir, 'cluster2', 'ca-cert.pem'), 'utf8'),
    )
    expect(pki.clusters.get(clusterId('cluster1'))?.certificate.checkIssued(root.certificate)).toBe(
      true,
    )
  })
})
