// Workloads applied as the guides apply them, with Istio's sample manifests: a Namespace labelled
// for injection, helloworld's Service and Deployments, sleep's ServiceAccount and Deployment.
// Pods start with sidecars, registries of every primary learn them, DNS names the Service, and
// deleting a Deployment takes its pods out of the mesh.

import { describe, expect, test } from 'vitest'
import { adminOf, cli } from '../helpers/cli.ts'
import { tally } from '../helpers/mesh.ts'
import { exampleSpec, sharedMesh } from '../helpers/traffic.ts'

const NAMESPACE = `apiVersion: v1
kind: Namespace
metadata:
  name: demo
  labels:
    istio-injection: enabled
`

const service = `apiVersion: v1
kind: Service
metadata:
  name: helloworld
  labels: {app: helloworld, service: helloworld}
spec:
  ports:
  - port: 5000
    name: http
  selector:
    app: helloworld
`

const helloworld = (v: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: helloworld-${v}
  labels: {app: helloworld, version: ${v}}
spec:
  replicas: 1
  selector:
    matchLabels: {app: helloworld, version: ${v}}
  template:
    metadata:
      labels: {app: helloworld, version: ${v}}
    spec:
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-${v}:1.0
        resources:
          requests: {cpu: "100m"}
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 5000
`

const SLEEP = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: sleep
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
spec:
  replicas: 1
  selector:
    matchLabels: {app: sleep}
  template:
    metadata:
      labels: {app: sleep}
    spec:
      serviceAccountName: sleep
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "infinity"]
`

const HELLO = 'http://helloworld.demo:5000/hello'

describe('the samples applied to two-networks.yaml', () => {
  const mesh = sharedMesh(() => exampleSpec('two-networks.yaml'), { seed: 12 })

  test('a Deployment in a namespace without injection is refused, and so is one in a missing namespace', async () => {
    const admin = await adminOf(mesh())
    const apply = (text: string) =>
      cli(['apply', '-f', '-', '--context', 'cluster1', '-n', 'demo', '--admin', admin], text)
    const missing = await apply(helloworld('v1'))
    expect(missing.code).toBe(65)
    expect(missing.stderr).toContain('namespaces "demo" not found')
    const plain = await apply(
      `${NAMESPACE.replace('    istio-injection: enabled\n', '    team: a\n')}---\n${helloworld('v1')}`,
    )
    expect(plain.code).toBe(65)
    expect(plain.stderr).toContain('would run without a sidecar')
    expect(mesh().pods.some((p) => p.namespace === 'demo')).toBe(false)
  })

  test("helloworld's manifests in both clusters and sleep in cluster1 serve v1 and v2 across networks", async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const apply = (cluster: string, text: string) =>
      cli(['apply', '-f', '-', '--context', cluster, '-n', 'demo', '--admin', admin], text)
    const first = await apply(
      'cluster1',
      `${NAMESPACE}---\n${service}---\n${helloworld('v1')}---\n${SLEEP}`,
    )
    expect(first.stdout).toBe(
      [
        'namespace/demo created',
        'service/helloworld created',
        'deployment.apps/helloworld-v1 created',
        'serviceaccount/sleep created',
        'deployment.apps/sleep created',
        '',
      ].join('\n'),
    )
    expect(
      (await apply('cluster2', `${NAMESPACE}---\n${service}---\n${helloworld('v2')}`)).code,
    ).toBe(0)

    const v1 = m.pod('cluster1/demo/helloworld')
    expect(v1?.sidecar).toBeDefined()
    expect(v1?.name).toMatch(/^helloworld-v1-[a-z0-9]{10}-[a-z0-9]{5}$/)
    expect(
      m.clusters.get('cluster1' as never)?.names.records.has('helloworld.demo.svc.cluster.local'),
    ).toBe(true)
    expect(Object.keys(await tally(m, 'cluster1/demo/sleep', HELLO, 20)).sort()).toEqual([
      'v1',
      'v2',
    ])
  })

  test('deleting a Deployment takes its pods out of every cluster it was reached from', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const deleted = await cli(
      ['delete', '-f', '-', '--context', 'cluster2', '-n', 'demo', '--admin', admin],
      helloworld('v2'),
    )
    expect(deleted.stdout).toBe('deployment.apps/helloworld-v2 deleted\n')
    expect(m.pod('cluster2/demo/helloworld')).toBeUndefined()
    expect(await tally(m, 'cluster1/demo/sleep', HELLO, 10)).toEqual({ v1: 10 })
  })

  test('scaling a Deployment adds pods under the same ReplicaSet; changing its template replaces them', async () => {
    const m = mesh()
    const admin = await adminOf(m)
    const apply = (text: string) =>
      cli(['apply', '-f', '-', '--context', 'cluster1', '-n', 'demo', '--admin', admin], text)
    const v1Pods = () =>
      m.pods.filter(
        (p) => p.cluster === 'cluster1' && p.namespace === 'demo' && p.app === 'helloworld',
      )
    const before = v1Pods().map((p) => p.name)
    expect(before).toHaveLength(1)
    expect((await apply(helloworld('v1').replace('replicas: 1', 'replicas: 2'))).stdout).toBe(
      'deployment.apps/helloworld-v1 configured\n',
    )
    const scaled = v1Pods().map((p) => p.name)
    expect(scaled).toHaveLength(2)
    expect(scaled).toContain(before[0])
    expect(new Set(scaled.map((n) => n.split('-').slice(0, -1).join('-'))).size).toBe(1)
    await apply(
      helloworld('v1')
        .replace('replicas: 1', 'replicas: 2')
        .replace('cpu: "100m"', 'cpu: "200m"')
        .replace('imagePullPolicy: IfNotPresent', 'imagePullPolicy: Always'),
    )
    const replaced = v1Pods().map((p) => p.name)
    expect(replaced).toHaveLength(2)
    expect(replaced.some((n) => scaled.includes(n))).toBe(false)
    expect(await tally(m, 'cluster1/demo/sleep', HELLO, 10)).toEqual({ v1: 10 })
  })
})
