import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  ConfigReadError,
  checkResource,
  ISTIO_API_VERSIONS,
  loadResourceFile,
  MAX_RESOURCE_BYTES,
  ProblemCode,
  parseResources,
} from '../../../src/config/index.ts'
import { posOf, where } from '../../helpers/topologies.ts'

const GATEWAY = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
spec:
  selector: {istio: eastwestgateway}
  servers:
  - port: {number: 15443, name: tls, protocol: TLS}
    tls: {mode: AUTO_PASSTHROUGH}
    hosts: ["*.local"]
`
const withNamespace = (text: string, ns: string) =>
  text.replace(
    '  name: cross-network-gateway\n',
    `  name: cross-network-gateway\n  namespace: ${ns}\n`,
  )

const parse = (text: string, namespace?: string) =>
  parseResources(text, { file: 'r.yaml', ...(namespace ? { namespace } : {}) })

describe('a resource file is read as kubectl apply -f reads it', () => {
  test('documents separated by --- are read in order; empty ones and comments are skipped', () => {
    const second = GATEWAY.replace('cross-network-gateway', 'second')
    const r = parse(`---\n# exposes services\n${GATEWAY}---\n---\n# nothing here\n---\n${second}`)
    expect(r.problems).toEqual([])
    expect(r.resources.map((x) => x.metadata.name)).toEqual(['cross-network-gateway', 'second'])
  })

  test('an empty file holds no resources and no problems', () => {
    expect(parse('')).toEqual({ resources: [], problems: [], warnings: [], origins: [] })
    expect(parse('# only a comment\n---\n')).toEqual({
      resources: [],
      problems: [],
      warnings: [],
      origins: [],
    })
  })

  test('a kind: List is unwrapped and its problems point into items', () => {
    const items = GATEWAY.split('\n')
      .map((l, i) => (l === '' ? l : `${i === 0 ? '- ' : '  '}${l}`))
      .join('\n')
    const text = `apiVersion: v1\nkind: List\nitems:\n${items}${items.replace('TLS}', 'SCTP}')}`
    const r = parse(text)
    expect(r.resources).toHaveLength(1)
    expect(r.problems.map((p) => `${p.path} ${p.code}`)).toEqual([
      `items[1].spec.servers[0].port.protocol ${ProblemCode.BadValue}`,
    ])
    expect(where(r.problems)).toEqual([`${posOf(text, 'SCTP')} ${ProblemCode.BadValue}`])
  })

  test.each(ISTIO_API_VERSIONS)('apiVersion %s is accepted', (apiVersion) => {
    const r = parse(GATEWAY.replace('networking.istio.io/v1', apiVersion))
    expect(r.problems).toEqual([])
  })

  test('another apiVersion of networking.istio.io is refused, naming the ones accepted', () => {
    const text = GATEWAY.replace('networking.istio.io/v1', 'networking.istio.io/v2')
    const [p, ...rest] = parse(text).problems
    expect(rest).toEqual([])
    expect(p).toMatchObject({ code: ProblemCode.BadValue, path: 'apiVersion', line: 1, col: 13 })
    expect(p?.message).toContain('networking.istio.io/v1beta1')
  })

  test('status and server-set metadata are accepted and dropped', () => {
    const text = GATEWAY.replace(
      'metadata:\n',
      'metadata:\n  uid: 6f1c\n  resourceVersion: "4711"\n  generation: 2\n  creationTimestamp: "2024-05-01T10:00:00Z"\n',
    ).concat('status:\n  conditions: []\n')
    const r = parse(text)
    expect(r.problems).toEqual([])
    expect(r.resources[0]).not.toHaveProperty('status')
    expect(r.resources[0]?.metadata).toEqual({
      name: 'cross-network-gateway',
      namespace: 'default',
    })
  })

  test('the same resource twice in a file is a warning: applied in order, the later replaces it', () => {
    const r = parse(`${GATEWAY}---\n${GATEWAY}`)
    expect(r.problems).toEqual([])
    expect(r.resources).toHaveLength(2)
    expect(r.warnings.map((w) => `${w.line} ${w.code}`)).toEqual([`15 ${ProblemCode.Duplicate}`])
  })
})

describe('namespaces are settled as kubectl settles them', () => {
  test('metadata.namespace wins, then the namespace applied to, then default', () => {
    expect(parse(withNamespace(GATEWAY, 'istio-system')).resources[0]?.metadata.namespace).toBe(
      'istio-system',
    )
    expect(parse(GATEWAY, 'sample').resources[0]?.metadata.namespace).toBe('sample')
    expect(parse(GATEWAY).resources[0]?.metadata.namespace).toBe('default')
  })

  test('the same namespace written and applied to is fine', () => {
    expect(parse(withNamespace(GATEWAY, 'sample'), 'sample').problems).toEqual([])
  })

  test("a written namespace that differs from the applied one fails with kubectl's message", () => {
    const text = withNamespace(GATEWAY, 'istio-system')
    const r = parse(text, 'sample')
    expect(r.resources).toEqual([])
    expect(where(r.problems)).toEqual([
      `${posOf(text, 'istio-system')} ${ProblemCode.NamespaceMismatch}`,
    ])
    expect(r.problems[0]?.message).toContain(
      `the namespace from the provided object "istio-system" does not match the namespace "sample". You must pass '--namespace=istio-system' to perform this operation.`,
    )
  })
})

describe('kinds meshsim does not read are named as such', () => {
  test.each([
    ['security.istio.io/v1', 'PeerAuthentication'],
    ['networking.istio.io/v1', 'Sidecar'],
    ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
    ['gateway.networking.k8s.io/v1', 'Gateway'],
  ])('%s %s is not supported yet', (apiVersion, kind) => {
    const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`
    const r = parse(text)
    expect(where(r.problems)).toEqual([`2:7 ${ProblemCode.UnsupportedKind}`])
    expect(r.problems[0]?.message).toContain(`meshsim does not support kind ${kind}`)
  })

  test('an unknown kind is reported with the closest known kind', () => {
    const text = GATEWAY.replace('kind: Gateway', 'kind: VirtualSevice')
    const [p, ...rest] = parse(text).problems
    expect(rest).toEqual([])
    expect(p).toMatchObject({ code: ProblemCode.UnknownKind, line: 2, col: 7 })
    expect(p?.message).toContain('did you mean "VirtualService"?')
  })

  test('a document without kind, or that is not a mapping, is reported', () => {
    expect(parse('apiVersion: v1\nmetadata: {name: x}\n').problems.map((p) => p.code)).toEqual([
      ProblemCode.MissingField,
    ])
    expect(parse('just a string\n').problems.map((p) => p.code)).toEqual([ProblemCode.WrongType])
  })
})

describe('unknown fields are reported at their key with a suggestion', () => {
  test('a misspelt field names the closest allowed one', () => {
    const text = GATEWAY.replace('    hosts:', '    hostz:')
    const unknown = parse(text).problems.find((p) => p.code === ProblemCode.UnknownField)
    expect(unknown).toMatchObject({ line: 10, col: 5, path: 'spec.servers[0].hostz' })
    expect(unknown?.message).toBe(
      'Gateway default/cross-network-gateway: unknown field "hostz"; did you mean "hosts"?',
    )
  })

  test('a misspelt field deep in a VirtualService is found too', () => {
    const text = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: sample}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subst: v2}
`
    const { problems } = parse(text)
    expect(where(problems)).toEqual([`${posOf(text, 'subst')} ${ProblemCode.UnknownField}`])
    expect(problems[0]?.message).toContain('did you mean "subset"?')
  })
})

describe('hostile input gets a clear error, not a hang or a crash', () => {
  test('an alias bomb is refused', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`)
    }
    const r = parse(`${levels.join('\n')}\n`)
    expect(r.problems.map((p) => p.code)).toEqual([ProblemCode.TooComplex])
  })

  test('__proto__ keys are refused and pollute nothing', () => {
    const r = parse(GATEWAY.replace('metadata:\n', 'metadata:\n  __proto__: { polluted: yes }\n'))
    expect(r.problems.map((p) => p.code)).toContain(ProblemCode.ReservedKey)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('a duplicate key is an error, not last-one-wins', () => {
    const text = GATEWAY.replace('  name: cross-network-gateway\n', '  name: a\n  name: b\n')
    expect(where(parse(text).problems)).toEqual([`5:3 ${ProblemCode.DuplicateKey}`])
  })

  test('deep nesting is reported once', () => {
    const r = parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}\n`)
    expect(r.problems.map((p) => p.code)).toEqual([ProblemCode.TooComplex])
  })

  test('text over the size limit is refused before it is parsed', () => {
    const r = parse(`# ${'x'.repeat(MAX_RESOURCE_BYTES)}\n`)
    expect(r.problems.map((p) => p.code)).toEqual([ProblemCode.TooLarge])
  })
})

describe('loading a resource file from disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshsim-resources-'))

  test('a file is read and its problems name it', () => {
    const file = join(dir, 'gateway.yaml')
    writeFileSync(file, GATEWAY.replace('TLS}', 'SCTP}'))
    const r = loadResourceFile(file, { namespace: 'istio-system' })
    expect(r.problems.map((p) => `${p.file}:${p.line}`)).toEqual([`${file}:8`])
  })

  test('a missing file or a folder cannot be read', () => {
    expect(() => loadResourceFile(join(dir, 'none.yaml'))).toThrow(ConfigReadError)
    expect(() => loadResourceFile(dir)).toThrow(/directory/)
  })
})

describe('malformed values anywhere are reported, never thrown', () => {
  const BASES: Record<string, unknown>[] = [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'a', namespace: 's' },
      spec: {
        hosts: ['a'],
        gateways: ['mesh', 's/g'],
        http: [
          {
            match: [{ uri: { prefix: '/' }, headers: { x: { exact: 'y' } } }],
            route: [{ destination: { host: 'a', subset: 'v1' }, weight: 50 }],
            retries: { attempts: 1 },
          },
        ],
        tls: [{ match: [{ sniHosts: ['a'] }], route: [{ destination: { host: 'a' } }] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'a' },
      spec: {
        host: 'a',
        trafficPolicy: {
          loadBalancer: {
            localityLbSetting: { distribute: [{ from: 'a/*', to: { 'a/*': 100 } }] },
          },
          tls: { mode: 'ISTIO_MUTUAL' },
        },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'a' },
      spec: {
        hosts: ['a.b'],
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        resolution: 'DNS',
        endpoints: [{ address: 'x.y', ports: { http: 1 } }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'a' },
      spec: {
        servers: [
          {
            port: { number: 1, name: 'a', protocol: 'TLS' },
            tls: { mode: 'AUTO_PASSTHROUGH' },
            hosts: ['*.local'],
          },
        ],
      },
    },
  ]
  const ODD = [null, [], {}, -1, 1.5, '', 'x', true, [null]]

  /** Every path in a value, the root included. */
  function pathsOf(v: unknown, at: (string | number)[] = []): (string | number)[][] {
    const inner = Array.isArray(v)
      ? v.flatMap((x, i) => pathsOf(x, [...at, i]))
      : v !== null && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))
        : []
    return [at, ...inner]
  }

  function replaced(v: unknown, path: readonly (string | number)[], odd: unknown): unknown {
    const [head, ...rest] = path
    if (head === undefined) return odd
    const copy = structuredClone(v) as Record<string | number, unknown>
    copy[head] = replaced(copy[head], rest, odd)
    return copy
  }

  test.each(BASES.map((b) => [b.kind, b] as const))('in a %s', (_, base) => {
    expect(checkResource(base)).toMatchObject({ errors: [] })
    for (const path of pathsOf(base))
      for (const odd of ODD) {
        const r = checkResource(replaced(base, path, odd))
        expect(r.resource === undefined || r.errors.length === 0).toBe(true)
      }
  })
})
