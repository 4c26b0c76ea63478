// The validate and schema commands as a user runs them: a real process, real exit codes.

import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { posOf, TWO_NETWORKS } from '../helpers/topologies.ts'

const exec = promisify(execFile)

async function meshsim(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['src/cli/main.ts', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'meshsim-cli-'))
const file = (name: string, text: string) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

describe('meshsim validate', () => {
  test('a valid topology exits 0 and says what it holds', async () => {
    const r = await meshsim('validate', 'examples/two-networks.yaml')
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toBe(
      'examples/two-networks.yaml: valid (2 clusters, 2 networks, 4 workloads)\n',
    )
  })

  test('an invalid topology exits 65 and lists every problem as FILE:LINE:COL: message', async () => {
    const bad = file(
      'bad.yaml',
      TWO_NETWORKS.replace('network: network2', 'network: netwrk2').replace(
        '10.100.0.0/16',
        '10.10.0.0/24',
      ),
    )
    const r = await meshsim('validate', bad)
    expect(r.code).toBe(65)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toEqual([
      `${bad}:13:20: spec.clusters[0].serviceCIDR: serviceCIDR 10.10.0.0/24 of cluster cluster1 overlaps its own podCIDR 10.10.0.0/16`,
      `${bad}:20:16: spec.clusters[1].network: network "netwrk2" is not declared under spec.networks; did you mean "network2"?`,
      `${bad}: 2 problems`,
    ])
  })

  test('several files are checked in one run; any invalid one makes it exit 65', async () => {
    const bad = file('bad2.yaml', 'kind: Mesh\n')
    const r = await meshsim('validate', 'examples/two-networks.yaml', bad)
    expect(r.code).toBe(65)
    expect(r.stdout).toContain('examples/two-networks.yaml: valid')
    expect(r.stderr).toContain(`${bad}:1:1: apiVersion: missing required field "apiVersion"`)
  })

  test('-o json reports problems with their stable codes', async () => {
    const bad = file('bad3.yaml', TWO_NETWORKS.replace('sample: sleep }', 'sample: curl }'))
    const r = await meshsim('validate', '-o', 'json', bad)
    expect(r.code).toBe(65)
    const report = JSON.parse(r.stdout)
    expect(report.kind).toBe('ValidationReport')
    expect(report.files[0].problems[0]).toMatchObject({
      code: 'MESHSIM_CONFIG_BAD_VALUE',
      line: 18,
      path: 'spec.clusters[0].workloads[1].sample',
    })
  })

  test('bad usage exits 64 and a missing file 66', async () => {
    expect((await meshsim('validate')).code).toBe(64)
    expect((await meshsim('validate', '--bogus', 'x.yaml')).code).toBe(64)
    expect((await meshsim('frobnicate')).code).toBe(64)
    const missing = await meshsim('validate', join(dir, 'nope.yaml'))
    expect(missing.code).toBe(66)
    expect(missing.stderr).toContain('cannot read: no such file')
    const folder = await meshsim('validate', dir)
    expect(folder.code).toBe(66)
    expect(folder.stderr).toContain('it is a directory')
  })
})

describe('meshsim validate with plug-in CA folders', () => {
  const withCacerts = (certs: string) =>
    TWO_NETWORKS.replace(
      '      remoteSecrets: [cluster2]\n',
      `      remoteSecrets: [cluster2]\n      cacerts: ${certs}/cluster1\n`,
    ).replace(
      '      remoteSecrets: [cluster1]\n',
      `      remoteSecrets: [cluster1]\n      cacerts: ${certs}/cluster2\n`,
    )

  test('folders written by meshsim certs validate; a folder whose parts do not belong together is reported at its line', async () => {
    const certs = join(dir, 'certs')
    const made = await meshsim('certs', '--out', certs, '--clusters', 'cluster1,cluster2')
    expect(made.code).toBe(0)
    const good = file('cacerts-good.yaml', withCacerts(certs))
    expect((await meshsim('validate', good)).code).toBe(0)

    // cluster2's key beside cluster1's certificate: what a copy-paste slip does.
    copyFileSync(join(certs, 'cluster2', 'ca-key.pem'), join(certs, 'cluster1', 'ca-key.pem'))
    const text = withCacerts(certs)
    const bad = file('cacerts-bad.yaml', text)
    const r = await meshsim('validate', bad)
    expect(r.code).toBe(65)
    const [line] = r.stderr.split('\n')
    expect(line).toContain(`${bad}:${posOf(text, `${certs}/cluster1`)}: spec.clusters[0].cacerts: `)
    expect(line).toContain('MESHSIM_CA_CACERTS_KEY_MISMATCH')
  })
})

describe('meshsim schema', () => {
  test('prints the JSON Schema that docs/mesh.schema.json publishes for editors', async () => {
    const r = await meshsim('schema')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('docs/mesh.schema.json', 'utf8')))
  })
})

describe('the installed command', () => {
  test('bin/meshsim.js (built by npm install) answers --help with the commands', async () => {
    const { stdout } = await exec(process.execPath, ['bin/meshsim.js', '--help'])
    expect(stdout).toMatch(/validate \[options\] <file\.\.\.>/)
    expect(stdout).toMatch(/certs \[options\]/)
  })
})
