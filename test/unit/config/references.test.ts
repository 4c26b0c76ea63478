import { describe, expect, test } from 'vitest'
import { ProblemCode } from '../../../src/config/index.ts'
import { posOf, problemsOf, TWO_NETWORKS } from '../../helpers/topologies.ts'

interface Case {
  readonly name: string
  readonly edit: (t: string) => string
  readonly code: ProblemCode
  /** The text the problem must point at (its first occurrence after the edit). */
  readonly at: string
  readonly says: RegExp
}

const cases: Case[] = [
  {
    name: 'a cluster on an undeclared network',
    edit: (t) => t.replace('      network: network2', '      network: netwrk2'),
    code: ProblemCode.UnknownReference,
    at: 'netwrk2',
    says: /network "netwrk2" is not declared.*did you mean "network2"/,
  },
  {
    name: 'a remote secret for a cluster that does not exist',
    edit: (t) => t.replace('remoteSecrets: [cluster2]', 'remoteSecrets: [cluster3]'),
    code: ProblemCode.UnknownReference,
    at: 'cluster3',
    says: /no such cluster/,
  },
  {
    name: 'two clusters with the same name',
    edit: (t) =>
      t
        .replace('clusterName: cluster2', 'clusterName: cluster1')
        .replace('remoteSecrets: [cluster2]', 'remoteSecrets: []'),
    code: ProblemCode.Duplicate,
    at: 'cluster1\n      network: network2',
    says: /declared twice/,
  },
  {
    name: 'two networks with the same name',
    edit: (t) => t.replace('    - name: network2', '    - name: network2\n    - name: network1'),
    code: ProblemCode.Duplicate,
    at: 'network1\n  clusters',
    says: /declared twice/,
  },
  {
    name: 'a remote cluster whose primary does not exist',
    edit: (t) =>
      t.replace(
        '      remoteSecrets: [cluster1]\n',
        '      controlPlane: { mode: remote, primary: cluster7 }\n',
      ),
    code: ProblemCode.UnknownReference,
    at: 'cluster7',
    says: /names primary "cluster7", but there is no such cluster/,
  },
  {
    name: 'a remote cluster whose primary is itself a remote',
    edit: (t) =>
      t
        .replace(
          '      remoteSecrets: [cluster2]\n',
          '      controlPlane: { mode: remote, primary: cluster2 }\n',
        )
        .replace(
          '      remoteSecrets: [cluster1]\n',
          '      controlPlane: { mode: remote, primary: cluster1 }\n',
        ),
    code: ProblemCode.BadControlPlane,
    at: 'cluster2 }',
    says: /itself a remote cluster/,
  },
  {
    name: 'pod CIDRs that overlap between clusters on one network',
    edit: (t) =>
      t
        .replace('      network: network2', '      network: network1')
        .replace('10.20.0.0/16', '10.10.128.0/17'),
    code: ProblemCode.CidrOverlap,
    at: '10.10.128.0/17',
    says: /overlaps podCIDR 10\.10\.0\.0\/16 of cluster cluster1, which shares network network1/,
  },
  {
    name: "a pod CIDR that overlaps the same cluster's service CIDR",
    edit: (t) => t.replace('10.100.0.0/16', '10.10.200.0/24'),
    code: ProblemCode.CidrOverlap,
    at: '10.10.200.0/24',
    says: /overlaps its own podCIDR/,
  },
  {
    name: 'a network that others must reach but that has no gateway',
    edit: (t) => t.replace('      eastWestGateway: { address: 192.168.1.247 }\n', ''),
    code: ProblemCode.NoGateway,
    at: 'network2\n      podCIDR',
    says: /network network2 has no east-west gateway, but cluster1 \(network1\) calls services in cluster2 through cluster1's remote secret for cluster2/,
  },
  {
    name: "a remote on another network whose primary's network has no gateway",
    edit: (t) =>
      t
        .replace('      eastWestGateway: { address: 192.168.1.246 }\n', '')
        .replace(
          '      remoteSecrets: [cluster1]\n',
          '      controlPlane: { mode: remote, primary: cluster1 }\n',
        ),
    code: ProblemCode.NoGateway,
    at: 'network1\n      podCIDR',
    says: /remote cluster cluster2 \(network2\) reaches its istiod in cluster1/,
  },
  {
    name: 'a ClusterIP outside the service CIDR',
    edit: (t) => t.replace('sample: sleep }', 'sample: sleep, clusterIP: 10.99.0.9 }'),
    code: ProblemCode.OutsideCidr,
    at: '10.99.0.9',
    says: /outside cluster1's serviceCIDR 10\.100\.0\.0\/16/,
  },
  {
    name: 'two gateways with one address',
    edit: (t) => t.replace('192.168.1.247', '192.168.1.246'),
    code: ProblemCode.Duplicate,
    at: '192.168.1.246 }\n      remoteSecrets: [cluster1]',
    says: /already used by cluster1's east-west gateway/,
  },
  {
    name: 'a gateway address inside a pod range',
    edit: (t) => t.replace('192.168.1.247', '10.20.0.9'),
    code: ProblemCode.BadValue,
    at: '10.20.0.9',
    says: /inside cluster2's podCIDR/,
  },
  {
    name: 'a cluster holding a remote secret for itself',
    edit: (t) => t.replace('remoteSecrets: [cluster2]', 'remoteSecrets: [cluster2, cluster1]'),
    code: ProblemCode.BadValue,
    at: 'cluster1]',
    says: /remote secret for itself/,
  },
  {
    name: 'a cacerts folder that does not exist',
    edit: (t) =>
      t.replace(
        '      remoteSecrets: [cluster2]\n',
        '      remoteSecrets: [cluster2]\n      cacerts: missing/cluster1\n',
      ),
    code: ProblemCode.FileNotFound,
    at: 'missing/cluster1',
    says: /meshsim certs --out certs --clusters cluster1/,
  },
  {
    name: 'meshNetworks naming an unknown registry',
    edit: (t) =>
      `${t}  meshNetworks:\n    network1:\n      endpoints: [{ fromRegistry: Kubernetes }]\n      gateways: [{ address: 192.168.1.246, port: 15443 }]\n`,
    code: ProblemCode.UnknownReference,
    at: 'Kubernetes',
    says: /fromRegistry "Kubernetes" names no cluster/,
  },
]

describe('cross-reference problems', () => {
  test.each(cases)('$name is caught where it is written', ({ edit, code, at, says }) => {
    const text = edit(TWO_NETWORKS)
    const exists = (p: string) => !p.includes('missing')
    const problems = problemsOf(text, exists)
    const match = problems.find((p) => p.code === code)
    expect(match, `${code} among ${JSON.stringify(problems, null, 1)}`).toBeDefined()
    expect(`${match?.line}:${match?.col}`).toBe(posOf(text, at))
    expect(match?.message).toMatch(says)
  })

  test('every cross-reference problem in a file is reported together', () => {
    const text = TWO_NETWORKS.replace('      network: network2', '      network: netwrk2')
      .replace('remoteSecrets: [cluster2]', 'remoteSecrets: [cluster3]')
      .replace('10.100.0.0/16', '10.10.200.0/24')
    expect(problemsOf(text).map((p) => p.code)).toEqual([
      ProblemCode.CidrOverlap,
      ProblemCode.UnknownReference,
      ProblemCode.UnknownReference,
    ])
  })
})
