// The input a topology file gives the analyzers: each cluster's resources (with files applied
// over one cluster), the Services and pods the mesh would run, what each istiod discovers, and
// origins that point into the file.

import { describe, expect, test } from 'vitest'
import {
  analyze,
  inputFromTopology,
  type LocatedResource,
  YamlSource,
} from '../../../src/analysis/index.ts'
import { parseResources } from '../../../src/config/index.ts'
import { apiServerOf, buildInventory } from '../../../src/runtime/index.ts'
import { BROKEN_SUBSETS, load, posOf, TWO_NETWORKS } from '../../helpers/topologies.ts'

function inputOf(text: string, applied: readonly LocatedResource[] = []) {
  const spec = load(text)
  return inputFromTopology({
    spec,
    inventories: buildInventory(spec),
    yaml: new YamlSource(text, 'mesh.yaml'),
    applied: [{ cluster: 'cluster1', resources: applied }],
    apiServerOf,
  })
}

describe('Services, pods and discovery', () => {
  const input = inputOf(TWO_NETWORKS)
  const c1 = input.clusters[0]

  test("a cluster's Services are its workloads' and its install's (istiod, east-west gateway)", () => {
    expect(c1?.services.map((s) => `${s.namespace}/${s.name}`).sort()).toEqual([
      'istio-system/istio-eastwestgateway',
      'istio-system/istiod',
      'sample/helloworld',
      'sample/sleep',
    ])
  })

  test('pods carry app and version labels; each istiod discovers itself and its remote secrets', () => {
    expect(c1?.pods).toContainEqual({
      namespace: 'sample',
      labels: { app: 'helloworld', version: 'v1' },
    })
    expect(c1?.discovers).toEqual(['cluster1', 'cluster2'])
    expect(c1?.primary).toBe(true)
  })
})

test('messages point at the field in the topology file (IST0101) or at the resource (IST0173)', () => {
  const messages = analyze(inputOf(BROKEN_SUBSETS))
  expect(messages.map((m) => `${m.code} ${m.origin}`)).toEqual([
    `IST0101 mesh.yaml:${posOf(BROKEN_SUBSETS, 'host: helloworld\n                      subset', 6)}`,
    `IST0173 mesh.yaml:${posOf(BROKEN_SUBSETS, 'apiVersion: networking.istio.io/v1\n          kind: DestinationRule')}`,
  ])
  expect(messages.map((m) => m.message)).toEqual([
    'Referenced host+subset in destinationrule not found: "helloworld+v2"',
    'The Subset v3 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
  ])
})

describe('resource files applied over a cluster', () => {
  const file = (text: string): LocatedResource[] => {
    const parsed = parseResources(text, { file: 'extra.yaml' })
    expect(parsed.problems).toEqual([])
    const yaml = new YamlSource(text, 'extra.yaml')
    return parsed.resources.map((resource, i) => {
      const at = parsed.origins[i]
      const origin = at && yaml.originOfKindAt(at)
      return { resource, ...(origin ? { origin } : {}) }
    })
  }

  test('a resource replaces the one of the same kind and name, and its messages point into the file', () => {
    const fixed = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: helloworld, namespace: sample }
spec:
  hosts: [helloworld]
  http:
    - route:
        - destination: { host: helloworld, subset: v9 }
`
    const messages = analyze(inputOf(BROKEN_SUBSETS, file(fixed)), { clusters: ['cluster1'] })
    expect(messages.map((m) => `${m.code} ${m.origin} ${m.message}`)).toContainEqual(
      `IST0101 extra.yaml:8:32 Referenced host+subset in destinationrule not found: "helloworld+v9"`,
    )
    expect(messages.some((m) => m.message.includes('helloworld+v2'))).toBe(false)
  })

  test('an applied Service replaces the workload one; a Deployment brings pods', () => {
    const workloads = `apiVersion: v1
kind: Service
metadata: { name: helloworld, namespace: sample }
spec:
  selector: { app: helloworld }
  ports: [{ name: web, port: 5000 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: helloworld-v3, namespace: sample }
spec:
  replicas: 2
  selector: { matchLabels: { app: helloworld, version: v3 } }
  template:
    metadata: { labels: { app: helloworld, version: v3 } }
    spec:
      containers: [{ name: helloworld, image: docker.io/istio/examples-helloworld-v1 }]
`
    const messages = analyze(inputOf(BROKEN_SUBSETS, file(workloads)), { clusters: ['cluster1'] })
    // v3 now has pods; the Service's port name changed in cluster1 only.
    expect(messages.map((m) => `${m.code} ${m.origin} ${m.message}`)).toEqual([
      `IST0101 mesh.yaml:${posOf(BROKEN_SUBSETS, 'host: helloworld\n                      subset', 6)} Referenced host+subset in destinationrule not found: "helloworld+v2"`,
      'IST0170 extra.yaml:1:1 The service helloworld in namespace "sample" is inconsistent across clusters ["cluster1" "cluster2"], which can lead to undefined behaviors. The inconsistent behaviors are: service ports are inconsistent.',
      `IST0118 extra.yaml:6:30 Port name web (port: 5000, targetPort: 5000) doesn't follow the naming convention of Istio port.`,
    ])
  })

  test("an applied remote secret that reaches the cluster's API server adds it to discovery", () => {
    const alone = TWO_NETWORKS.replace('      remoteSecrets: [cluster2]\n', '')
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-cluster2
  namespace: istio-system
  labels: { istio/multiCluster: "true" }
  annotations: { networking.istio.io/cluster: cluster2 }
stringData:
  cluster2: |
    apiVersion: v1
    kind: Config
    clusters:
    - name: cluster2
      cluster: { server: ${apiServerOf('cluster2')} }
    contexts:
    - name: cluster2
      context: { cluster: cluster2, user: cluster2 }
    current-context: cluster2
    users:
    - name: cluster2
      user: { token: x }
`
    expect(inputOf(alone).clusters[0]?.discovers).toEqual(['cluster1'])
    expect(inputOf(alone, file(secret)).clusters[0]?.discovers).toEqual(['cluster1', 'cluster2'])
  })
})
