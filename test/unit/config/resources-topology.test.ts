import { describe, expect, test } from 'vitest'
import {
  type Problem,
  ProblemCode,
  parseTopology,
  topologyJsonSchema,
} from '../../../src/config/index.ts'
import { load, posOf, problemsOf, TWO_NETWORKS, where } from '../../helpers/topologies.ts'

/** TWO_NETWORKS with `resources` (indented YAML list items) added to cluster1. */
const withResources = (items: string, cluster = 'cluster1') =>
  TWO_NETWORKS.replace(
    cluster === 'cluster1'
      ? '        - { app: sleep, namespace: sample, sample: sleep }\n'
      : '        - { app: helloworld, namespace: sample, version: v2, sample: helloworld }\n',
    (line) => `${line}      resources:\n${items}`,
  )

const EAST_WEST = `        - apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata:
            name: cross-network-gateway
            namespace: istio-system
          spec:
            selector: {istio: eastwestgateway}
            servers:
            - port: {number: 15443, name: tls, protocol: TLS}
              tls: {mode: AUTO_PASSTHROUGH}
              hosts: ["*.local"]
`
const SPLIT = `        - apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: helloworld}
          spec:
            hosts: [helloworld.sample.svc.cluster.local]
            http:
            - route:
              - destination: {host: helloworld.sample.svc.cluster.local, subset: v1}
                weight: 90
              - destination: {host: helloworld.sample.svc.cluster.local, subset: v2}
                weight: 10
`

describe('resources written in a topology', () => {
  test('load into their cluster, without namespace in default', () => {
    const spec = load(withResources(`${EAST_WEST}${SPLIT}`))
    const [c1, c2] = spec.clusters
    expect(
      c1?.resources.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`),
    ).toEqual(['Gateway istio-system/cross-network-gateway', 'VirtualService default/helloworld'])
    expect(c2?.resources).toEqual([])
    const vs = c1?.resources[1]
    if (vs?.kind !== 'VirtualService') throw new Error('expected a VirtualService')
    expect(vs.spec.http?.[0]?.route?.map((d) => d.weight)).toEqual([90, 10])
    expect(Object.isFrozen(vs.spec)).toBe(true)
  })

  test('an invalid one is reported at its position in the topology file', () => {
    const text = withResources(EAST_WEST.replace('protocol: TLS}', 'protocol: HTTP}'))
    const problems = problemsOf(text)
    expect(where(problems)).toEqual([`${posOf(text, 'AUTO_PASSTHROUGH')} ${ProblemCode.Conflict}`])
    expect(problems[0]?.path).toBe('spec.clusters[0].resources[0].spec.servers[0].tls.mode')
    expect(problems[0]?.message).toMatch(/^Gateway istio-system\/cross-network-gateway: /)
  })

  test('an unknown field in one is reported with a suggestion, at its key', () => {
    const text = withResources(SPLIT.replace('weight: 90', 'wieght: 90'))
    const unknown = problemsOf(text).find((p) => p.code === ProblemCode.UnknownField)
    expect(unknown && `${unknown.line}:${unknown.col}`).toBe(posOf(text, 'wieght'))
    expect(unknown?.message).toContain('did you mean "weight"?')
  })

  test('the same kind/namespace/name twice in one cluster is a duplicate', () => {
    const text = withResources(`${EAST_WEST}${EAST_WEST}`)
    const problems = problemsOf(text)
    expect(problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      `spec.clusters[0].resources[1].metadata.name ${ProblemCode.Duplicate}`,
    ])
    expect(problems[0]?.message).toContain('already defined in this cluster at resources[0]')
  })

  test('the same resource in two clusters is fine: each cluster has its own config store', () => {
    const text = withResources(EAST_WEST, 'cluster2').replace(
      '        - { app: sleep, namespace: sample, sample: sleep }\n',
      (line) => `${line}      resources:\n${EAST_WEST}`,
    )
    expect(load(text).clusters.map((c) => c.resources.length)).toEqual([1, 1])
  })

  test('topology and resource problems are reported in the same run', () => {
    const text = withResources(SPLIT.replace('weight: 90', 'weight: -90')).replace(
      '      network: network2',
      '      network: network3',
    )
    expect(where(problemsOf(text))).toEqual([
      `${posOf(text, '-90')} ${ProblemCode.BadWeight}`,
      `${posOf(text, 'network3')} ${ProblemCode.UnknownReference}`,
    ])
  })

  test('resources must be a list', () => {
    const text = TWO_NETWORKS.replace(
      '        - { app: sleep, namespace: sample, sample: sleep }\n',
      (line) => `${line}      resources: {}\n`,
    )
    expect(where(problemsOf(text))).toEqual([`${posOf(text, '{}')} ${ProblemCode.WrongType}`])
  })

  test('warnings reach onWarning with their position', () => {
    const text = withResources(
      SPLIT.replace(
        '            http:\n',
        '            http:\n            - fault: {abort: {httpStatus: 500, percentage: {value: 10}}}\n              route: [{destination: {host: helloworld.sample.svc.cluster.local}}]\n',
      ),
    )
    const warnings: Problem[] = []
    parseTopology(text, { file: 'mesh.yaml', baseDir: '/topo', onWarning: (w) => warnings.push(w) })
    expect(where(warnings)).toEqual([
      `${posOf(text, 'fault')} ${ProblemCode.NotEmulated}`,
      // The first rule matches everything, so the weighted split after it is never used.
      `${posOf(text, 'route:\n              - destination: {host: helloworld.sample.svc.cluster.local, subset: v1}')} ${ProblemCode.IstioWarning}`,
    ])
    expect(warnings[0]?.message).toContain('does not emulate it yet')
  })

  test('the JSON Schema that meshsim schema prints describes them', () => {
    const schema = JSON.stringify(topologyJsonSchema())
    for (const kind of ['VirtualService', 'DestinationRule', 'ServiceEntry', 'Gateway'])
      expect(schema).toContain(`"const":"${kind}"`)
    expect(schema).toContain('networking.istio.io/v1alpha3')
  })
})
