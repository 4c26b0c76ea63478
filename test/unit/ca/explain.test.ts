// explainChain: RFC 5280 verdict plus SPIFFE leaf rules, with reasons that name the certificate.

import { beforeAll, describe, expect, test } from 'vitest'
import { checkSvidLeaf, createClusterCa, explainChain } from '../../../src/ca/index.ts'
import {
  buildMeshPki,
  HTTPBIN,
  issueAt,
  leafOf,
  type MeshPki,
  mint,
  mintSubCa,
  SLEEP,
  signerFromWorkload,
} from './fixture.ts'

const CA_START = new Date('2026-10-24T10:00:00Z')
const T0 = new Date('2026-11-23T10:00:00Z')
const HOUR = 3_600_000
const window = { notBefore: new Date(T0.getTime() - HOUR), notAfter: new Date(T0.getTime() + HOUR) }

let pki: MeshPki
beforeAll(() => {
  pki = buildMeshPki(CA_START)
})

describe('a chain that validates', () => {
  test('a workload certificate from cluster1 validates against the shared root and yields its SPIFFE id', async () => {
    const s = issueAt(pki.cluster1, T0, SLEEP)
    expect(await explainChain({ chain: s.certChainPem, roots: s.rootCertPem, at: T0 })).toEqual({
      ok: true,
      spiffeId: SLEEP,
      path: [SLEEP, 'O=Istio, CN=Intermediate CA, L=cluster1', 'O=Istio, CN=Root CA'],
    })
  })

  test('a chain that also carries the root, as the plug-in doc shows, validates', async () => {
    const s = issueAt(pki.cluster2, T0, SLEEP)
    const verdict = await explainChain({
      chain: s.certChainPem + s.rootCertPem,
      roots: pki.root.certPem,
      at: T0,
    })
    expect(verdict).toMatchObject({ ok: true, spiffeId: SLEEP })
  })

  test('the expected SPIFFE id is accepted when it is one of several', async () => {
    const s = issueAt(pki.cluster1, T0, HTTPBIN)
    const verdict = await explainChain({
      chain: s.certChainPem,
      roots: pki.root.certPem,
      expectedSpiffeIds: [SLEEP, HTTPBIN],
      at: T0,
    })
    expect(verdict.ok).toBe(true)
  })
})

describe('a chain that is refused', () => {
  test('a certificate from a foreign root with the same SPIFFE id is refused, naming the other root', async () => {
    const s = issueAt(pki.foreignCluster2, T0, SLEEP)
    const verdict = await explainChain({ chain: s.certChainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'UNKNOWN_ROOT',
      certificate: {
        position: 'intermediate',
        index: 1,
        subject: 'O=Istio, CN=Intermediate CA, L=cluster2',
      },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain(
      'certificate 2 (O=Istio, CN=Intermediate CA, L=cluster2) was signed by a different root than the one this proxy trusts (root-cert.pem: O=Istio, CN=Root CA',
    )
    expect(verdict.reason).toContain('all clusters must share one root')
  })

  test('a foreign chain that carries its own root names both roots', async () => {
    const s = issueAt(pki.foreignCluster2, T0, SLEEP)
    const verdict = await explainChain({
      chain: s.certChainPem + s.rootCertPem,
      roots: pki.root.certPem,
      at: T0,
    })
    expect(verdict).toMatchObject({ ok: false, code: 'UNKNOWN_ROOT' })
    if (verdict.ok) return
    const fp = (c: typeof pki.root) => c.certificate.fingerprint256.slice(0, 23)
    expect(verdict.reason).toContain(fp(pki.foreignRoot))
    expect(verdict.reason).toContain(fp(pki.root))
  })

  test('an expired workload certificate is refused, saying when it expired and naming it', async () => {
    const s = issueAt(pki.cluster1, new Date(T0.getTime() - 48 * HOUR), SLEEP, HOUR)
    const verdict = await explainChain({ chain: s.certChainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'EXPIRED',
      certificate: { position: 'leaf', index: 0, spiffeId: SLEEP },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain(
      `the workload certificate (${SLEEP}) expired at 2026-11-21T11:00:00Z, 47 h before the check`,
    )
  })

  test('a workload certificate from an issuer whose clock runs ahead is not yet valid', async () => {
    const s = issueAt(pki.cluster1, new Date(T0.getTime() + HOUR), SLEEP)
    const verdict = await explainChain({ chain: s.certChainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'NOT_YET_VALID',
      certificate: { position: 'leaf' },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain(
      'is not yet valid: it starts at 2026-11-23T10:58:00Z, 58 min after the check',
    )
  })

  test('a leaf key used to sign another leaf is refused as a workload certificate acting as a CA', async () => {
    const victim = issueAt(pki.cluster1, T0, SLEEP)
    const forged = mint(signerFromWorkload(victim), victim.certChainPem, {
      ...window,
      subjectAltName: { uris: [HTTPBIN] },
    })
    const verdict = await explainChain({ chain: forged.chainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'LEAF_AS_CA',
      certificate: { position: 'intermediate', index: 1, spiffeId: SLEEP },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain(
      `certificate 2 (${SLEEP}) is a workload (leaf) certificate but is used to sign another certificate`,
    )
  })

  test('an intermediate with pathlen 0 that signs another CA exceeds the path length', async () => {
    const sub = mintSubCa(pki.cluster1.signer, pki.cluster1.certPem, window)
    const leaf = mint(sub.signer, sub.chainPem, window)
    const verdict = await explainChain({ chain: leaf.chainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'PATHLEN_EXCEEDED',
      certificate: {
        position: 'intermediate',
        index: 2,
        subject: 'O=Istio, CN=Intermediate CA, L=cluster1',
      },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain(
      'path length exceeded: the intermediate of cluster1 (O=Istio, CN=Intermediate CA, L=cluster1) has pathlen 0 and cannot sign another CA',
    )
  })

  test('a leaf with CA:true is refused by the SPIFFE rules although RFC 5280 accepts it', async () => {
    const leaf = mint(pki.cluster1.signer, pki.cluster1.certPem, {
      ...window,
      basicConstraints: { ca: true },
      keyUsage: ['digitalSignature', 'keyCertSign'],
    })
    const verdict = await explainChain({ chain: leaf.chainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'LEAF_IS_CA',
      certificate: { position: 'leaf' },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain('says CA:true; a SPIFFE leaf must not be a CA')
  })

  test('a leaf that may sign certificates (keyCertSign) is refused', async () => {
    const leaf = mint(pki.cluster1.signer, pki.cluster1.certPem, {
      ...window,
      keyUsage: ['digitalSignature', 'keyCertSign'],
    })
    const verdict = await explainChain({ chain: leaf.chainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({ ok: false, code: 'LEAF_IS_CA' })
    if (verdict.ok) return
    expect(verdict.reason).toContain('has key usage keyCertSign')
  })

  test('a wrong SPIFFE id is refused with the expected and the actual id', async () => {
    const s = issueAt(pki.cluster2, T0, SLEEP)
    const verdict = await explainChain({
      chain: s.certChainPem,
      roots: pki.root.certPem,
      expectedSpiffeIds: [HTTPBIN],
      at: T0,
    })
    expect(verdict).toMatchObject({ ok: false, code: 'SPIFFE_MISMATCH' })
    if (verdict.ok) return
    expect(verdict.reason).toContain(`SPIFFE id ${SLEEP} is not the expected ${HTTPBIN}`)
  })

  test('a chain without its intermediate names the missing issuer', async () => {
    const s = issueAt(pki.cluster1, T0, SLEEP)
    const verdict = await explainChain({ chain: leafOf(s), roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'UNKNOWN_ISSUER',
      certificate: { position: 'leaf' },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain('O=Istio, CN=Intermediate CA, L=cluster1')
  })

  test('a leaf presented with a stale intermediate of the same name fails its signature check', async () => {
    const rotated = createClusterCa(pki.root, 'cluster1', { now: () => CA_START })
    const s = issueAt(rotated, T0, SLEEP)
    const verdict = await explainChain({
      chain: [leafOf(s), pki.cluster1.certificate],
      roots: pki.root.certPem,
      at: T0,
    })
    expect(verdict).toMatchObject({
      ok: false,
      code: 'BAD_SIGNATURE',
      certificate: { position: 'leaf' },
    })
    if (verdict.ok) return
    expect(verdict.reason).toContain('the signature does not match')
  })

  test('an empty chain and unparsable input are refused', async () => {
    expect(await explainChain({ chain: [], roots: pki.root.certPem, at: T0 })).toMatchObject({
      code: 'EMPTY_CHAIN',
    })
    expect(
      await explainChain({ chain: new Uint8Array([1, 2, 3]), roots: pki.root.certPem, at: T0 }),
    ).toMatchObject({ code: 'MALFORMED' })
  })
})

describe('SPIFFE SAN shapes (only the canonical one passes)', () => {
  const shapes: [string, { uris?: string[]; dnsNames?: string[] }, string][] = [
    ['no URI at all, DNS only', { dnsNames: ['sleep.sample.svc'] }, 'BAD_SPIFFE_SAN'],
    ['two URIs', { uris: [SLEEP, HTTPBIN] }, 'BAD_SPIFFE_SAN'],
    ['an https URI', { uris: ['https://cluster.local/ns/sample/sa/sleep'] }, 'BAD_SPIFFE_SAN'],
    ['a trust domain without path', { uris: ['spiffe://cluster.local'] }, 'BAD_SPIFFE_SAN'],
    ['dot segments', { uris: ['spiffe://cluster.local/ns/sample/sa/../admin'] }, 'BAD_SPIFFE_SAN'],
    [
      'an upper-case trust domain',
      { uris: ['spiffe://Cluster.Local/ns/sample/sa/sleep'] },
      'BAD_SPIFFE_SAN',
    ],
  ]
  test.each(shapes)('%s is refused', async (_name, san, code) => {
    const leaf = mint(pki.cluster1.signer, pki.cluster1.certPem, { ...window, subjectAltName: san })
    const verdict = await explainChain({ chain: leaf.chainPem, roots: pki.root.certPem, at: T0 })
    expect(verdict).toMatchObject({ ok: false, code })
    expect(checkSvidLeaf(leaf.cert)).toMatchObject({ ok: false, code })
  })

  test('the canonical form passes', async () => {
    const leaf = mint(pki.cluster1.signer, pki.cluster1.certPem, window)
    expect(checkSvidLeaf(leaf.cert)).toEqual({ ok: true, spiffeId: SLEEP })
    expect(
      await explainChain({ chain: leaf.chainPem, roots: pki.root.certPem, at: T0 }),
    ).toMatchObject({
      ok: true,
      spiffeId: SLEEP,
    })
  })
})
