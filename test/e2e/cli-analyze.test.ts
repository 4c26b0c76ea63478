// `meshsim analyze` as a user runs it: on a topology file (with resource files applied over a
// cluster), on every example, and on a running mesh after a bad VirtualService is applied.
// Lines are istioctl analyze's; exit 79 means a message reached the failure threshold.

import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { adminOf, cli } from '../helpers/cli.ts'
import { meshFromExample } from '../helpers/mesh.ts'
import { BROKEN_SUBSETS, posOf, TWO_NETWORKS } from '../helpers/topologies.ts'

const dir = mkdtempSync(join(tmpdir(), 'meshsim-analyze-'))
const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

const SUBSET_LINE = posOf(BROKEN_SUBSETS, 'host: helloworld\n                      subset').split(
  ':',
)[0]
const RULE_LINE = posOf(
  BROKEN_SUBSETS,
  'apiVersion: networking.istio.io/v1\n          kind: DestinationRule',
).split(':')[0]

describe('meshsim analyze TOPOLOGY', () => {
  const broken = file('broken.yaml', BROKEN_SUBSETS)

  test('a subset selecting no pods and a route to an undefined subset: IST0173 and IST0101, exit 79', async () => {
    const exec = promisify(execFile)
    const r = await exec(process.execPath, ['src/cli/main.ts', 'analyze', broken], {
      env: { ...process.env, NO_COLOR: '1' },
    }).catch((err: { code: number; stdout: string; stderr: string }) => err)
    expect('code' in r ? r.code : 0).toBe(79)
    expect(r.stdout).toBe(
      [
        `Error [IST0101] [cluster-cluster1] (VirtualService sample/helloworld ${broken}:${SUBSET_LINE}) Referenced host+subset in destinationrule not found: "helloworld+v2"`,
        `Error [IST0173] [cluster-cluster1] (DestinationRule sample/helloworld ${broken}:${RULE_LINE}) The Subset v3 defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
        '',
      ].join('\n'),
    )
    expect(r.stderr).toBe(
      'Error: Analyzers found issues when analyzing all namespaces.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.\n',
    )
  })

  test('--context names the cluster (no [cluster-...] prefix); -o json gives FILE:LINE:COL origins', async () => {
    const one = await cli(['analyze', broken, '--context', 'cluster1'])
    expect(one.code).toBe(79)
    expect(one.stdout.split('\n')[0]).toBe(
      `Error [IST0101] (VirtualService sample/helloworld ${broken}:${SUBSET_LINE}) Referenced host+subset in destinationrule not found: "helloworld+v2"`,
    )
    const other = await cli(['analyze', broken, '--context', 'cluster2'])
    expect(other).toMatchObject({ code: 0, stdout: '' })
    expect(other.stderr).toBe(`✔ No validation issues found when analyzing ${broken}.\n`)

    const json = await cli(['analyze', broken, '-o', 'json'])
    expect(json.code).toBe(79)
    expect(JSON.parse(json.stdout)[0]).toEqual({
      level: 'Error',
      code: 'IST0101',
      resource: {
        kind: 'VirtualService',
        namespace: 'sample',
        name: 'helloworld',
        cluster: 'cluster1',
      },
      message: 'Referenced host+subset in destinationrule not found: "helloworld+v2"',
      origin: `${broken}:${posOf(BROKEN_SUBSETS, 'helloworld\n                      subset')}`,
      documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
    })
  })

  test('thresholds: --failure-threshold Warning fails on warnings; --output-threshold hides lower levels', async () => {
    const text = TWO_NETWORKS.replace(
      '      remoteSecrets: [cluster2]\n',
      `      remoteSecrets: [cluster2]
      resources:
        - apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: { name: nowhere, namespace: sample }
          spec: { host: nowhere }
`,
    )
    const warnOnly = file('warn.yaml', text)
    const line = posOf(text, 'apiVersion: networking').split(':')[0]
    const relaxed = await cli(['analyze', warnOnly])
    expect(relaxed.code).toBe(0)
    expect(relaxed.stdout).toBe(
      `Warning [IST0174] [cluster-cluster1] (DestinationRule sample/nowhere ${warnOnly}:${line}) The host nowhere defined in the DestinationRule does not match any services in the mesh.\n`,
    )
    expect((await cli(['analyze', warnOnly, '--failure-threshold', 'warning'])).code).toBe(79)
    const quiet = await cli(['analyze', warnOnly, '--output-threshold', 'Error'])
    expect(quiet).toMatchObject({ code: 0, stdout: '' })
    expect(quiet.stderr).toBe(`✔ No validation issues found when analyzing ${warnOnly}.\n`)
  })

  test('a resource file is analyzed applied over --context: it replaces the route, names its own lines', async () => {
    const fix = file(
      'fix.yaml',
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: helloworld
  namespace: sample
spec:
  hosts: [helloworld]
  http:
    - route:
        - destination: { host: helloworld, subset: v1 }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: helloworld
  namespace: sample
spec:
  host: helloworld
  subsets:
    - { name: v1, labels: { version: v1 } }
`,
    )
    const r = await cli(['analyze', broken, fix, '--context', 'cluster1', '-n', 'sample'])
    expect(r).toMatchObject({ code: 0, stdout: '' })
    expect(r.stderr).toBe(`✔ No validation issues found when analyzing ${broken}\n${fix}.\n`)
  })

  test('-n scopes the report; bad usage exits 64, an invalid topology 65', async () => {
    const scoped = await cli(['analyze', broken, '-n', 'foo'])
    expect(scoped).toMatchObject({ code: 64, stderr: 'namespace "foo" not found\n' })
    expect((await cli(['analyze', broken, '-n', 'istio-system'])).code).toBe(0)
    expect((await cli(['analyze', broken, '--context', 'cluster9'])).stderr).toBe(
      `meshsim analyze: no cluster "cluster9" in ${broken}; its clusters are cluster1, cluster2\n`,
    )
    expect((await cli(['analyze', broken, '--output-threshold', 'Loud'])).code).toBe(64)
    expect((await cli(['analyze', broken, '-o', 'table'])).code).toBe(64)
    const resourcesOnly = await cli(['analyze', 'examples/manifests/split-horizon-networks.yaml'])
    expect(resourcesOnly.code).toBe(64)
    expect(resourcesOnly.stderr).toContain(
      'resource files are analyzed with the topology they apply to',
    )
    const noContext = await cli([
      'analyze',
      broken,
      'examples/manifests/split-horizon-networks.yaml',
    ])
    expect(noContext.code).toBe(64)
    const invalid = await cli([
      'analyze',
      file('invalid.yaml', BROKEN_SUBSETS.replace('subset: v2', 'subset: 7')),
    ])
    expect(invalid.code).toBe(65)
    expect(invalid.stderr).toContain('invalid.yaml: 1 problem; fix it first (meshsim validate)')
  })
})

describe('meshsim analyze examples/*.yaml', () => {
  const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml'))

  test.each(examples.filter((f) => f !== 'replicated-global.yaml'))(
    '%s has no findings',
    async (name) => {
      const r = await cli(['analyze', `examples/${name}`])
      expect(r).toEqual({
        code: 0,
        stdout: '',
        stderr: `✔ No validation issues found when analyzing examples/${name}.\n`,
      })
    },
  )

  test('split-horizon.yaml with its istio ConfigMap applied to cluster1 has no findings', async () => {
    const r = await cli([
      'analyze',
      'examples/split-horizon.yaml',
      'examples/manifests/split-horizon-networks.yaml',
      '--context',
      'cluster1',
    ])
    expect(r).toMatchObject({ code: 0, stdout: '' })
  })

  test("replicated-global.yaml: cluster2's rule defines v1, which cluster2 does not run", async () => {
    // The guide's cluster2 DestinationRule lists v1 and v2; cluster2 runs only helloworld v2 and
    // (replicated control planes) discovers no other cluster. Istio's analyzer reports it too.
    const r = await cli(['analyze', 'examples/replicated-global.yaml'])
    expect(r.code).toBe(79)
    expect(r.stdout).toMatch(
      /^Error \[IST0173\] \[cluster-cluster2\] \(DestinationRule sample\/helloworld examples\/replicated-global\.yaml:\d+\) The Subset v1 defined in the DestinationRule does not select any pods\. Which may lead to 503 UH \(NoHealthyUpstream\)\.\n$/,
    )
  })
})

describe('meshsim analyze on the running mesh', () => {
  test('clean at the start; after a bad VirtualService is applied, IST0101 lines and exit 79', async () => {
    const mesh = await meshFromExample('two-networks.yaml')
    const admin = await adminOf(mesh)
    const clean = await cli(['analyze', '--admin', admin])
    expect(clean).toEqual({
      code: 0,
      stdout: '',
      stderr: '✔ No validation issues found when analyzing all namespaces.\n',
    })

    const applied = await cli(
      ['apply', '-f', '-', '--context', 'cluster1', '--admin', admin],
      `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: helloworld
  namespace: sample
spec:
  hosts: [helloworld]
  gateways: [hello-gateway]
  http:
    - route:
        - destination: { host: helloworld, subset: v2 }
`,
    )
    expect(applied.code).toBe(0)
    const found = await cli(['analyze', '--admin', admin])
    expect(found.code).toBe(79)
    // No file, so no line: a live resource has no reference, as with istioctl on a cluster.
    expect(found.stdout).toBe(
      [
        'Error [IST0101] [cluster-cluster1] (VirtualService sample/helloworld) Referenced gateway not found: "hello-gateway"',
        'Error [IST0101] [cluster-cluster1] (VirtualService sample/helloworld) Referenced host+subset in destinationrule not found: "helloworld+v2"',
        'Warning [IST0132] [cluster-cluster1] (VirtualService sample/helloworld) one or more host [helloworld] defined in VirtualService sample/helloworld not found in Gateway sample/hello-gateway.',
        '',
      ].join('\n'),
    )

    const scoped = await cli(['analyze', '--admin', admin, '--context', 'cluster2', '-o', 'yaml'])
    expect(scoped).toMatchObject({ code: 0, stdout: '[]\n' })
    const json = await cli([
      'analyze',
      '--admin',
      admin,
      '--context',
      'cluster1',
      '-o',
      'json',
      '-n',
      'sample',
    ])
    expect(json.code).toBe(79)
    expect(JSON.parse(json.stdout).map((m: { code: string }) => m.code)).toEqual([
      'IST0101',
      'IST0101',
      'IST0132',
    ])
    const unknown = await cli(['analyze', '--admin', admin, '--context', 'cluster9'])
    expect(unknown.code).toBe(64)
    expect(unknown.stderr).toBe(
      'meshsim analyze: no cluster "cluster9" in this mesh; its clusters are cluster1, cluster2\n',
    )
  })

  test('no mesh at the address: exit 1, saying how to start one', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address()
        const port = typeof address === 'object' && address ? address.port : 0
        server.close(() => resolve(port))
      })
    })
    const r = await cli(['analyze', '--admin', `127.0.0.1:${closed}`])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `meshsim analyze: cannot reach the mesh admin API at http://127.0.0.1:${closed}; start one with \`meshsim up examples/two-networks.yaml\`, or pass --admin URL\n`,
    )
  })
})
