// `meshsim certs`: the Makefile's folder layout, key modes, refusing to overwrite, exit codes.

import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadCacerts, parseCertificates } from '../../../src/ca/index.ts'
import { type CertsOptions, certsCommand } from '../../../src/cli/commands/certs.ts'
import { buildMeshPki, type MeshPki } from '../../unit/ca/fixture.ts'

class Sink extends Writable {
  text = ''
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

async function run(opts: CertsOptions) {
  const stdout = new Sink()
  const stderr = new Sink()
  const code = await certsCommand(opts, { stdout, stderr })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

let tmp: string
let pki: MeshPki
let n = 0
const fresh = () => join(tmp, `out${n++}`)
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'meshsim-certs-'))
  pki = buildMeshPki(new Date(Date.now() - 24 * 3_600_000))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('meshsim certs', () => {
  test("writes exactly the layout of Istio's tools/certs Makefile, keys readable only by the owner", async () => {
    const out = fresh()
    const result = await run({ out, clusters: ['cluster1', 'cluster2'] })
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(listing(out)).toEqual([
      'cluster1/ca-cert.pem',
      'cluster1/ca-key.pem',
      'cluster1/cert-chain.pem',
      'cluster1/root-cert.pem',
      'cluster2/ca-cert.pem',
      'cluster2/ca-key.pem',
      'cluster2/cert-chain.pem',
      'cluster2/root-cert.pem',
      'root-cert.pem',
      'root-key.pem',
    ])
    for (const key of ['root-key.pem', 'cluster1/ca-key.pem', 'cluster2/ca-key.pem']) {
      expect(statSync(join(out, key)).mode & 0o777, key).toBe(0o600)
    }
    const read = (f: string) => readFileSync(join(out, f), 'utf8')
    for (const c of ['cluster1', 'cluster2']) {
      expect(read(`${c}/cert-chain.pem`)).toBe(read(`${c}/ca-cert.pem`) + read('root-cert.pem'))
      expect(read(`${c}/root-cert.pem`)).toBe(read('root-cert.pem'))
      expect(loadCacerts(join(out, c)).clusterName).toBe(c)
    }
  })

  test('prints one line per file written and the kubectl command that plugs each cluster in', async () => {
    const out = fresh()
    const { stdout } = await run({ out, clusters: ['cluster1'] })
    const wrote = stdout.split('\n').filter((l) => l.startsWith('wrote '))
    expect(wrote).toEqual([
      `wrote ${join(out, 'root-cert.pem')}`,
      `wrote ${join(out, 'root-key.pem')}`,
      `wrote ${join(out, 'cluster1/ca-cert.pem')}`,
      `wrote ${join(out, 'cluster1/ca-key.pem')}`,
      `wrote ${join(out, 'cluster1/cert-chain.pem')}`,
      `wrote ${join(out, 'cluster1/root-cert.pem')}`,
    ])
    expect(stdout).toContain(
      `kubectl create secret generic cacerts -n istio-system --from-file=${join(out, 'cluster1/ca-cert.pem')} --from-file=${join(out, 'cluster1/ca-key.pem')} --from-file=${join(out, 'cluster1/root-cert.pem')} --from-file=${join(out, 'cluster1/cert-chain.pem')}`,
    )
  })

  test('refuses to overwrite existing files unless forced', async () => {
    const out = fresh()
    expect((await run({ out, clusters: ['cluster1'] })).code).toBe(0)
    const before = readFileSync(join(out, 'root-cert.pem'), 'utf8')

    const again = await run({ out, clusters: ['cluster1'] })
    expect(again.code).toBe(73)
    expect(again.stderr).toContain('refusing to overwrite')
    expect(again.stderr).toContain('--force')
    expect(again.stdout).toBe('')
    expect(readFileSync(join(out, 'root-cert.pem'), 'utf8')).toBe(before)

    const forced = await run({ out, clusters: ['cluster1'], force: true })
    expect(forced.code).toBe(0)
    expect(readFileSync(join(out, 'root-cert.pem'), 'utf8')).not.toBe(before)
    expect(statSync(join(out, 'cluster1/ca-key.pem')).mode & 0o777).toBe(0o600)
  })

  test.each([
    ['an upper-case name', ['Cluster1']],
    ['an underscore', ['cluster_1']],
    ['a leading dash', ['-cluster']],
    ['a dot', ['cluster.one']],
    ['64 characters', ['c'.repeat(64)]],
    ['an empty list', []],
    ['a duplicate', ['cluster1', 'cluster1']],
  ])('exits 64 on %s, writing nothing', async (_what, clusters) => {
    const out = fresh()
    const result = await run({ out, clusters })
    expect(result.code).toBe(64)
    expect(result.stderr).toMatch(/^error: /)
    expect(() => readdirSync(out)).toThrow()
  })

  test('exits 64 when a root key is given without its certificate, or the reverse', async () => {
    expect((await run({ out: fresh(), clusters: ['c1'], rootKey: 'k.pem' })).code).toBe(64)
    expect((await run({ out: fresh(), clusters: ['c1'], rootCert: 'c.pem' })).code).toBe(64)
  })

  test('reuses a given root and leaves its key where it is', async () => {
    const dir = fresh()
    mkdirSync(dir)
    writeFileSync(join(dir, 'root-cert.pem'), pki.root.certPem)
    writeFileSync(join(dir, 'root-key.pem'), pki.root.keyPem ?? '')
    const out = fresh()
    const result = await run({
      out,
      clusters: ['east'],
      rootCert: join(dir, 'root-cert.pem'),
      rootKey: join(dir, 'root-key.pem'),
    })
    expect(result.code).toBe(0)
    expect(listing(out)).toEqual([
      'east/ca-cert.pem',
      'east/ca-key.pem',
      'east/cert-chain.pem',
      'east/root-cert.pem',
      'root-cert.pem',
    ])
    expect(readFileSync(join(out, 'root-cert.pem'), 'utf8')).toBe(pki.root.certPem)
    const [ca] = parseCertificates(
      readFileSync(join(out, 'east/ca-cert.pem'), 'utf8'),
      'ca-cert.pem',
    )
    expect(ca?.verify(pki.root.certificate.publicKey)).toBe(true)
  })

  test('exits 65 when the given root is not a usable root, 66 when it cannot be read', async () => {
    const dir = fresh()
    mkdirSync(dir)
    writeFileSync(join(dir, 'garbage.pem'), 'hello\n')
    writeFileSync(join(dir, 'root-cert.pem'), pki.root.certPem)
    writeFileSync(join(dir, 'other-key.pem'), pki.foreignRoot.keyPem ?? '')
    writeFileSync(join(dir, 'ca-cert.pem'), pki.cluster1.certPem)
    writeFileSync(join(dir, 'ca-key.pem'), pki.cluster1.keyPem)
    const bad = async (rootCert: string, rootKey: string) =>
      run({
        out: fresh(),
        clusters: ['c1'],
        rootCert: join(dir, rootCert),
        rootKey: join(dir, rootKey),
      })

    const garbage = await bad('garbage.pem', 'other-key.pem')
    expect(garbage.code).toBe(65)
    expect(garbage.stderr).toContain('garbage.pem')
    expect((await bad('root-cert.pem', 'other-key.pem')).code).toBe(65)
    const intermediate = await bad('ca-cert.pem', 'ca-key.pem')
    expect(intermediate.code).toBe(65)
    expect(intermediate.stderr).toContain('pathlen 0')
    expect((await bad('root-cert.pem', 'missing-key.pem')).code).toBe(66)
  })

  test('exits 73 when the output folder cannot be created', async () => {
    const file = join(tmp, `file${n++}`)
    writeFileSync(file, 'not a folder')
    const result = await run({ out: join(file, 'certs'), clusters: ['cluster1'] })
    expect(result.code).toBe(73)
    expect(result.stderr).toContain('cannot write')
  })
})
