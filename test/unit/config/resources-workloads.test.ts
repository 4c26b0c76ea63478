// The workload kinds as Istio's samples write them: samples/helloworld/helloworld.yaml and
// samples/sleep/sleep.yaml apply unchanged, and what the API server would refuse is refused.

import { describe, expect, test } from 'vitest'
import { ProblemCode, parseResources } from '../../../src/config/index.ts'

// samples/helloworld/helloworld.yaml (Service and the v1 Deployment), as published.
const HELLOWORLD = `apiVersion: v1
kind: Service
metadata:
  name: helloworld
  labels:
    app: helloworld
    service: helloworld
spec:
  ports:
  - port: 5000
    name: http
  selector:
    app: helloworld
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: helloworld-v1
  labels:
    app: helloworld
    version: v1
spec:
  replicas: 1
  selector:
    matchLabels:
      app: helloworld
      version: v1
  template:
    metadata:
      labels:
        app: helloworld
        version: v1
    spec:
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-v1:1.0
        resources:
          requests:
            cpu: "100m"
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
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      terminationGracePeriodSeconds: 0
      serviceAccountName: sleep
      containers:
      - name: sleep
        image: curlimages/curl
        command: ["/bin/sleep", "infinity"]
        imagePullPolicy: IfNotPresent
        volumeMounts:
        - mountPath: /etc/sleep/tls
          name: secret-volume
      volumes:
      - name: secret-volume
        secret:
          secretName: sleep-secret
          optional: true
`

const parse = (text: string, namespace?: string) =>
  parseResources(text, { file: 'samples.yaml', ...(namespace ? { namespace } : {}) })

describe("Istio's sample manifests", () => {
  test('helloworld.yaml gives a Service selecting app=helloworld and a Deployment run as helloworld v1', () => {
    const { resources, problems, warnings } = parse(HELLOWORLD, 'sample')
    expect(problems).toEqual([])
    expect(warnings).toEqual([])
    expect(resources).toMatchObject([
      {
        kind: 'Service',
        metadata: { name: 'helloworld', namespace: 'sample' },
        selector: { app: 'helloworld' },
        ports: [{ name: 'http', port: 5000, targetPort: 5000, protocol: 'HTTP' }],
      },
      {
        kind: 'Deployment',
        metadata: { name: 'helloworld-v1', namespace: 'sample' },
        replicas: 1,
        podLabels: { app: 'helloworld', version: 'v1' },
        sample: 'helloworld',
        serviceAccount: 'default',
        containerPorts: [5000],
      },
    ])
  })

  test('sleep.yaml gives its ServiceAccount and a Deployment of curl run as sleep', () => {
    const { resources, problems } = parse(SLEEP, 'sample')
    expect(problems).toEqual([])
    expect(resources.map((r) => r.kind)).toEqual(['ServiceAccount', 'Deployment'])
    expect(resources[1]).toMatchObject({ sample: 'sleep', serviceAccount: 'sleep' })
  })

  test('a Namespace is cluster-scoped; istio-injection=enabled turns injection on', () => {
    const text =
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sample\n  labels:\n    istio-injection: enabled\n'
    const { resources, problems } = parse(text, 'other')
    expect(problems).toEqual([])
    expect(resources[0]).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'sample', namespace: '' },
      injection: true,
    })
  })
})

describe('what the API server refuses', () => {
  test('a selector that does not match the pod labels', () => {
    const [p] = parse(
      HELLOWORLD.replace('        version: v1\n    spec:', '        version: v2\n    spec:'),
    ).problems
    expect(p).toMatchObject({ code: ProblemCode.BadValue, path: 'spec.template.metadata.labels' })
    expect(p?.message).toContain('`selector` does not match template `labels`')
  })

  test('an image that is not one of the samples says which images meshsim runs', () => {
    const [p] = parse(
      HELLOWORLD.replace('docker.io/istio/examples-helloworld-v1:1.0', 'nginx:1.25'),
    ).problems
    expect(p?.path).toBe('spec.template.spec.containers[0].image')
    expect(p?.message).toContain("meshsim runs only Istio's sample images")
  })

  test('a multi-port Service with an unnamed port', () => {
    const text = HELLOWORLD.replace(
      '  - port: 5000\n    name: http\n',
      '  - port: 5000\n  - port: 5001\n',
    )
    expect(parse(text).problems.map((p) => p.path)).toEqual([
      'spec.ports[0].name',
      'spec.ports[1].name',
    ])
  })
})
