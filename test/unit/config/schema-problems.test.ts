import { describe, expect, test } from 'vitest'
import { formatProblem, ProblemCode, topologyJsonSchema } from '../../../src/config/index.ts'
import { posOf, problemsOf, TWO_NETWORKS, where } from '../../helpers/topologies.ts'

describe('schema problems are reported with their position', () => {
  test('an unknown field is reported at its key with the closest allowed name', () => {
    const problems = problemsOf(
      TWO_NETWORKS.replace('      network: network1', '      netwrk: network1'),
    )
    const unknown = problems.find((p) => p.code === ProblemCode.UnknownField)
    expect(unknown).toMatchObject({ line: 11, col: 7, path: 'spec.clusters[0].netwrk' })
    expect(unknown?.message).toContain('did you mean "network"?')
    // The field the typo hides is then missing.
    expect(problems.find((p) => p.code === ProblemCode.MissingField)?.path).toBe(
      'spec.clusters[0].network',
    )
  })

  test('a wrong type names what was expected and what was found', () => {
    const text = TWO_NETWORKS.replace(
      'sample: helloworld }\n        - { app: sleep',
      'sample: helloworld, replicas: "two" }\n        - { app: sleep',
    )
    const problems = problemsOf(text)
    expect(where(problems)).toEqual([`${posOf(text, '"two"')} MESHSIM_CONFIG_WRONG_TYPE`])
    expect(problems[0]?.message).toBe('replicas must be a whole number, got the string "two"')
  })

  test('a missing required field points at the mapping that lacks it', () => {
    const problems = problemsOf(TWO_NETWORKS.replace('      podCIDR: 10.20.0.0/16\n', ''))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: ProblemCode.MissingField,
      line: 19,
      col: 7,
      path: 'spec.clusters[1].podCIDR',
    })
  })

  test('out-of-range values, bad CIDRs and bad addresses are all reported at once', () => {
    const text = TWO_NETWORKS.replace('10.10.0.0/16', '10.10.0.0/33')
      .replace('{ address: 192.168.1.247 }', '{ address: 192.168.1.300, port: 70000 }')
      .replace('sample: sleep }', 'sample: curl }')
    expect(where(problemsOf(text))).toEqual([
      `${posOf(text, '10.10.0.0/33')} MESHSIM_CONFIG_BAD_VALUE`,
      `${posOf(text, 'curl')} MESHSIM_CONFIG_BAD_VALUE`,
      `${posOf(text, '192.168.1.300')} MESHSIM_CONFIG_BAD_VALUE`,
      `${posOf(text, '70000')} MESHSIM_CONFIG_BAD_VALUE`,
    ])
  })

  test('schema and cross-reference problems are reported in the same run', () => {
    const text = TWO_NETWORKS.replace('sample: sleep }', 'sample: sleep, replicas: -1 }').replace(
      '      network: network2',
      '      network: network3',
    )
    expect(where(problemsOf(text))).toEqual([
      `${posOf(text, '-1 }')} MESHSIM_CONFIG_BAD_VALUE`,
      `${posOf(text, 'network3')} MESHSIM_CONFIG_UNKNOWN_REFERENCE`,
    ])
  })

  test('a problem renders as FILE:LINE:COL: path: message', () => {
    const [p] = problemsOf(TWO_NETWORKS.replace('kind: Mesh', 'kind: Mesh\nextra: 1'))
    expect(p && formatProblem(p)).toBe(
      'mesh.yaml:3:1: extra: unknown field "extra"; allowed here: apiVersion, kind, metadata, spec',
    )
  })

  test('a wrong apiVersion says which one is expected', () => {
    const [p] = problemsOf(TWO_NETWORKS.replace('meshsim.dev/v1alpha1', 'meshsim.dev/v1'))
    expect(p).toMatchObject({ line: 1, col: 'apiVersion: '.length + 1, code: ProblemCode.BadValue })
    expect(p?.message).toContain('apiVersion must be meshsim.dev/v1alpha1')
  })

  test('another kind than Mesh is refused by name', () => {
    const text = `${TWO_NETWORKS}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n`
    const [p] = problemsOf(text)
    expect(p).toMatchObject({ code: ProblemCode.UnknownKind, line: 29 })
  })

  test('an empty file says what a topology needs', () => {
    expect(where(problemsOf(''))).toEqual(['1:1 MESHSIM_CONFIG_NO_MESH'])
  })
})

describe('the published JSON Schema', () => {
  test('describes the Mesh document and refuses unknown fields, as the loader does', () => {
    const schema = topologyJsonSchema() as {
      properties: Record<string, { additionalProperties?: boolean }>
      additionalProperties: boolean
      $id: string
    }
    expect(Object.keys(schema.properties)).toEqual(['apiVersion', 'kind', 'metadata', 'spec'])
    expect(schema.additionalProperties).toBe(false)
    expect(schema.properties.spec?.additionalProperties).toBe(false)
    expect(schema.$id).toMatch(/^https:\/\//)
  })
})
