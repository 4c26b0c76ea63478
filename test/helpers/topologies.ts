// Topology text builders for tests: a small valid mesh, and a loader that returns the problems.

import { ConfigError, type Problem, parseTopology } from '../../src/config/index.ts'
import type { MeshSpec } from '../../src/model/index.ts'

/** A valid two-network mesh, small enough to read in a test. Line numbers matter to tests. */
export const TWO_NETWORKS = `apiVersion: meshsim.dev/v1alpha1
kind: Mesh
metadata:
  name: t
spec:
  networks:
    - name: network1
    - name: network2
  clusters:
    - clusterName: cluster1
      network: network1
      podCIDR: 10.10.0.0/16
      serviceCIDR: 10.100.0.0/16
      eastWestGateway: { address: 192.168.1.246 }
      remoteSecrets: [cluster2]
      workloads:
        - { app: helloworld, namespace: sample, version: v1, sample: helloworld }
        - { app: sleep, namespace: sample, sample: sleep }
    - clusterName: cluster2
      network: network2
      podCIDR: 10.20.0.0/16
      serviceCIDR: 10.200.0.0/16
      eastWestGateway: { address: 192.168.1.247 }
      remoteSecrets: [cluster1]
      workloads:
        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }
`

const RULES = `      resources:
        - apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: helloworld, namespace: sample }
          spec:
            host: helloworld
            subsets:
              - { name: v1, labels: { version: v1 } }
              - { name: v3, labels: { version: v3 } }
        - apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: { name: helloworld, namespace: sample }
          spec:
            hosts: [helloworld]
            http:
              - route:
                  - destination:
                      host: helloworld
                      subset: v2
`

/** TWO_NETWORKS with, in cluster1, a rule whose v3 selects nothing and a route to an undefined v2. */
export const BROKEN_SUBSETS = TWO_NETWORKS.replace(
  '      remoteSecrets: [cluster2]\n',
  `      remoteSecrets: [cluster2]\n${RULES}`,
)

/** Loads topology text; no file system access unless `exists` is given. */
export function load(text: string, exists: (p: string) => boolean = () => true): MeshSpec {
  return parseTopology(text, { file: 'mesh.yaml', baseDir: '/topo', exists })
}

/** The problems loading `text` reports (fails the test if it loads). */
export function problemsOf(text: string, exists?: (p: string) => boolean): readonly Problem[] {
  try {
    load(text, exists)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected the topology to be rejected, but it loaded')
}

/** Compact view of problems for assertions: `LINE:COL CODE`. */
export function where(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${p.line}:${p.col} ${p.code}`)
}

/** `LINE:COL` of the first occurrence of `needle` in `text` (plus `skip` characters). */
export function posOf(text: string, needle: string, skip = 0): string {
  const i = text.indexOf(needle)
  if (i < 0) throw new Error(`"${needle}" is not in the text`)
  const before = text.slice(0, i + skip).split('\n')
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`
}
