// Loading Istio `cacerts` folders and root files: a good folder issues working certificates,
// each kind of broken folder gets its own error code.

import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type ClusterAuthority,
  createClusterCa,
  explainChain,
  loadCacerts,
  loadRootCa,
} from '../../../src/ca/index.ts'
import { buildMeshPki, issueAt, type MeshPki, SLEEP } from './fixture.ts'

const T0 = new Date('2026-11-23T10:00:00Z')
const now = () => T0

let pki: MeshPki
let tmp: string
beforeAll(() => {
  pki = buildMeshPki(new Date('2026-10-24T10:00:00Z'))
  tmp = mkdtempSync(join(tmpdir(), 'meshsim-cacerts-'))
})
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

let n = 0
/** A cacerts folder from `ca`, with some files replaced (or removed when null). */
function folder(ca: ClusterAuthority, replace: Record<string, string | null> = {}): string {
  const dir = join(tmp, `case${n++}`, ca.clusterName)
  mkdirSync(dir, { recursive: true })
  const files: Record<string, string | null> = {
    'ca-cert.pem': ca.certPem,
    'ca-key.pem': ca.keyPem,
    'root-cert.pem': ca.rootCertPem,
    'cert-chain.pem': ca.certChainPem,
    ...replace,
  }
  for (const [name, text] of Object.entries(files)) {
    if (text !== null) writeFileSync(join(dir, name), text)
  }
  return dir
}

describe('a cacerts folder', () => {
  test('that is complete loads as the cluster CA and issues certificates that chain to the root', async () => {
    const ca = loadCacerts(folder(pki.cluster1), { now })
    expect(ca.clusterName).toBe('cluster1')
    expect(ca.subject).toBe('O=Istio, CN=Intermediate CA, L=cluster1')
    const s = ca.issueWorkload({ identity: SLEEP })
    expect(
      await explainChain({ chain: s.certChainPem, roots: pki.root.certPem, at: T0 }),
    ).toMatchObject({
      ok: true,
      spiffeId: SLEEP,
    })
  })

  test('lacking a file is refused, naming the file', () => {
    const dir = folder(pki.cluster1, { 'cert-chain.pem': null })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({
        code: 'MESHSIM_CA_CACERTS_MISSING_FILE',
        files: [join(dir, 'cert-chain.pem')],
      }),
    )
  })

  test('that does not exist is refused as missing files', () => {
    expect(() => loadCacerts(join(tmp, 'nowhere'), { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CACERTS_MISSING_FILE' }),
    )
  })

  test("whose ca-key.pem belongs to another cluster's intermediate is refused", () => {
    const dir = folder(pki.cluster1, { 'ca-key.pem': pki.cluster2.keyPem })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({
        code: 'MESHSIM_CA_CACERTS_KEY_MISMATCH',
        files: [join(dir, 'ca-key.pem'), join(dir, 'ca-cert.pem')],
      }),
    )
  })

  test('whose root-cert.pem did not sign ca-cert.pem is refused', () => {
    const dir = folder(pki.cluster1, { 'root-cert.pem': pki.foreignRoot.certPem })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CACERTS_ROOT_MISMATCH' }),
    )
  })

  test("whose cert-chain.pem is another cluster's chain is refused", () => {
    const dir = folder(pki.cluster1, { 'cert-chain.pem': pki.cluster2.certChainPem })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CACERTS_CHAIN_MISMATCH' }),
    )
  })

  test('whose cert-chain.pem ends in a different root than root-cert.pem is refused', () => {
    const dir = folder(pki.cluster1, {
      'cert-chain.pem': pki.cluster1.certPem + pki.foreignRoot.certPem,
    })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CACERTS_CHAIN_MISMATCH' }),
    )
  })

  test('whose ca-cert.pem is a workload certificate, not a CA, is refused', () => {
    const s = issueAt(pki.cluster1, T0, SLEEP)
    const leafPem = s.certChainPem.slice(
      0,
      s.certChainPem.indexOf('-----END CERTIFICATE-----') + 26,
    )
    const dir = folder(pki.cluster1, {
      'ca-cert.pem': leafPem,
      'ca-key.pem': s.privateKeyPem,
      'cert-chain.pem': s.certChainPem + pki.root.certPem,
    })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_NOT_A_CA' }),
    )
  })

  test('whose intermediate has expired, or is not valid yet, is refused', () => {
    const dir = folder(pki.cluster1)
    expect(() => loadCacerts(dir, { now: () => new Date('2040-01-01T00:00:00Z') })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CERT_EXPIRED' }),
    )
    expect(() => loadCacerts(dir, { now: () => new Date('2020-01-01T00:00:00Z') })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_CERT_NOT_YET_VALID' }),
    )
  })

  test('holding something other than PEM is refused', () => {
    const dir = folder(pki.cluster1, { 'ca-cert.pem': 'not a certificate\n' })
    expect(() => loadCacerts(dir, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_BAD_PEM', files: [join(dir, 'ca-cert.pem')] }),
    )
  })
})

describe('a root from files', () => {
  function rootFiles(cert: string, key?: string): { certFile: string; keyFile: string } {
    const dir = join(tmp, `root${n++}`)
    mkdirSync(dir)
    writeFileSync(join(dir, 'root-cert.pem'), cert)
    if (key !== undefined) writeFileSync(join(dir, 'root-key.pem'), key)
    return { certFile: join(dir, 'root-cert.pem'), keyFile: join(dir, 'root-key.pem') }
  }

  test('with its key signs new cluster intermediates', () => {
    const { certFile, keyFile } = rootFiles(pki.root.certPem, pki.root.keyPem)
    const root = loadRootCa(certFile, keyFile, { now })
    const ca = createClusterCa(root, 'cluster3', { now })
    expect(ca.certificate.verify(pki.root.certificate.publicKey)).toBe(true)
  })

  test('without its key can be trusted but cannot sign', () => {
    const { certFile } = rootFiles(pki.root.certPem)
    const root = loadRootCa(certFile, undefined, { now })
    expect(root.signer).toBeUndefined()
    expect(() => createClusterCa(root, 'cluster3', { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_ROOT_KEY_MISSING' }),
    )
  })

  test('with the key of another root is refused', () => {
    const { certFile, keyFile } = rootFiles(pki.root.certPem, pki.foreignRoot.keyPem)
    expect(() => loadRootCa(certFile, keyFile, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_KEY_MISMATCH', files: [keyFile, certFile] }),
    )
  })

  test('that is missing is refused with the path', () => {
    const { certFile, keyFile } = rootFiles(pki.root.certPem, pki.root.keyPem)
    unlinkSync(keyFile)
    expect(() => loadRootCa(certFile, keyFile, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_READ_FAILED', files: [keyFile] }),
    )
  })

  test('that is a workload certificate is refused as not a CA', () => {
    const s = issueAt(pki.cluster1, T0, SLEEP)
    const { certFile } = rootFiles(
      s.certChainPem.split(/(?<=-----END CERTIFICATE-----\n)/)[0] ?? '',
    )
    expect(() => loadRootCa(certFile, undefined, { now })).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_NOT_A_CA' }),
    )
  })
})
