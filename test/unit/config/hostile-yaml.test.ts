import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  ConfigError,
  loadTopologyFile,
  MAX_TOPOLOGY_BYTES,
  ProblemCode,
} from '../../../src/config/index.ts'
import { problemsOf, TWO_NETWORKS, where } from '../../helpers/topologies.ts'

describe('hostile YAML gets a clear error, not a hang or a crash', () => {
  test('an alias bomb (billion laughs) is refused', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`)
    }
    const [p, ...rest] = problemsOf(`${levels.join('\n')}\n`)
    expect(rest).toEqual([])
    expect(p?.code).toBe(ProblemCode.TooComplex)
    expect(p?.message).toMatch(/aliases may be used at most 100 times/)
  })

  test('a duplicate key is an error, not last-one-wins', () => {
    const text = TWO_NETWORKS.replace(
      '      network: network1\n',
      '      network: network1\n      network: network2\n',
    )
    const problems = problemsOf(text)
    expect(where(problems)).toEqual(['12:7 MESHSIM_CONFIG_DUPLICATE_KEY'])
    expect(problems[0]?.message).toMatch(/unique/)
  })

  test('__proto__ keys are refused and pollute nothing', () => {
    const text = TWO_NETWORKS.replace('metadata:\n', 'metadata:\n  __proto__: { polluted: yes }\n')
    const problems = problemsOf(text)
    expect(problems.map((p) => p.code)).toContain(ProblemCode.ReservedKey)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(problemsOf('constructor: { prototype: 1 }\n').map((p) => p.code)).toContain(
      ProblemCode.ReservedKey,
    )
  })

  test('10,000 levels of nesting are reported once as too deep', () => {
    const problems = problemsOf(`${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
    expect(problems).toHaveLength(1)
    expect(problems[0]?.code).toBe(ProblemCode.TooComplex)
  })

  test('a 10 MB file is refused before it is parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshsim-'))
    const file = join(dir, 'huge.yaml')
    writeFileSync(file, `# ${'x'.repeat(10 * 1024 * 1024)}\n`)
    expect(() => loadTopologyFile(file)).toThrow(ConfigError)
    try {
      loadTopologyFile(file)
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.code)).toEqual([ProblemCode.TooLarge])
      expect((err as ConfigError).problems[0]?.message).toContain(
        `${MAX_TOPOLOGY_BYTES / 1024 / 1024} MiB`,
      )
    }
  })

  test('binary garbage and a bare scalar are reported, not thrown as something else', () => {
    expect(problemsOf('\u0000\u0001\u0002 {{{').length).toBeGreaterThan(0)
    expect(problemsOf('just a string\n').map((p) => p.code)).toEqual([ProblemCode.WrongType])
    expect(problemsOf('a: [1, 2\nb: 3\n').map((p) => p.code)).toContain(ProblemCode.Syntax)
  })
})
