// What the CA puts in root, intermediate and workload certificates, read back with an
// independent parser (@peculiar/x509).

import 'reflect-metadata'
import { createPrivateKey, createPublicKey, type X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import * as x509 from '@peculiar/x509'
import { beforeAll, describe, expect, test } from 'vitest'
import {
  CLOCK_SKEW_GRACE_MS,
  createClusterCa,
  createRootCa,
  DEFAULT_WORKLOAD_TTL_MS,
  parseCertificates,
  ROOT_TTL_MS,
} from '../../../src/ca/index.ts'
import { namespace, serviceAccount, trustDomain } from '../../../src/model/index.ts'
import { buildMeshPki, HTTPBIN, issueAt, leafOf, type MeshPki, SLEEP } from './fixture.ts'

const T0 = new Date('2026-11-23T10:00:00Z')
const HOUR = 3_600_000
const { KeyUsageFlags: KU } = x509

let pki: MeshPki
beforeAll(() => {
  pki = buildMeshPki(T0)
})

function peculiar(cert: X509Certificate) {
  const c = new x509.X509Certificate(cert.raw)
  return {
    cert: c,
    bc: c.getExtension(x509.BasicConstraintsExtension),
    ku: c.getExtension(x509.KeyUsagesExtension),
    eku: c.getExtension(x509.ExtendedKeyUsageExtension),
    san: c.getExtension(x509.SubjectAlternativeNameExtension),
    ski: c.getExtension(x509.SubjectKeyIdentifierExtension),
    aki: c.getExtension(x509.AuthorityKeyIdentifierExtension),
  }
}

describe('a workload certificate', () => {
  test('carries exactly one critical URI SAN with the SPIFFE id and an empty subject', () => {
    const leaf = peculiar(leafOf(issueAt(pki.cluster1, T0, SLEEP)))
    expect(leaf.san?.critical).toBe(true)
    expect(leaf.san?.names.toJSON()).toEqual([{ type: 'url', value: SLEEP }])
    expect(leaf.cert.subject).toBe('')
  })

  test('is a non-CA TLS client and server certificate', () => {
    const leaf = peculiar(leafOf(issueAt(pki.cluster1, T0, SLEEP)))
    expect(leaf.bc?.ca).toBe(false)
    expect(leaf.bc?.critical).toBe(true)
    expect(leaf.ku?.critical).toBe(true)
    expect(leaf.ku?.usages).toBe(KU.digitalSignature | KU.keyEncipherment)
    expect(leaf.eku?.usages).toEqual([
      x509.ExtendedKeyUsage.serverAuth,
      x509.ExtendedKeyUsage.clientAuth,
    ])
    expect(leaf.ski).toBeNull()
  })

  test('names its issuer by the intermediate key id', () => {
    const leaf = peculiar(leafOf(issueAt(pki.cluster1, T0, SLEEP)))
    expect(leaf.aki?.keyId).toBe(peculiar(pki.cluster1.certificate).ski?.keyId)
    expect(leaf.cert.issuer).toBe('O=Istio, CN=Intermediate CA, L=cluster1')
  })

  test('is backdated 2 minutes and lives 24 h by default', () => {
    const secret = issueAt(pki.cluster1, T0, SLEEP)
    const leaf = leafOf(secret)
    expect(leaf.validFromDate).toEqual(new Date(T0.getTime() - 2 * 60_000))
    expect(leaf.validToDate).toEqual(new Date(T0.getTime() + 24 * HOUR))
    expect(secret.notBefore).toEqual(leaf.validFromDate)
    expect(secret.notAfter).toEqual(leaf.validToDate)
    expect(CLOCK_SKEW_GRACE_MS).toBe(2 * 60_000)
    expect(DEFAULT_WORKLOAD_TTL_MS).toBe(24 * HOUR)
  })

  test('lives as long as asked', () => {
    const leaf = leafOf(issueAt(pki.cluster1, T0, SLEEP, HOUR))
    expect(leaf.validToDate).toEqual(new Date(T0.getTime() + HOUR))
  })

  test("is clamped to the intermediate's NotAfter", () => {
    const shortLived = createClusterCa(pki.root, 'cluster3', { now: () => T0, ttlMs: 2 * HOUR })
    const leaf = leafOf(issueAt(shortLived, new Date(T0.getTime() + HOUR), SLEEP))
    expect(leaf.validToDate).toEqual(shortLived.notAfter)
    expect(leaf.validToDate).toEqual(new Date(T0.getTime() + 2 * HOUR))
  })

  test('is refused when the intermediate has expired', () => {
    const shortLived = createClusterCa(pki.root, 'cluster3', { now: () => T0, ttlMs: HOUR })
    expect(() => issueAt(shortLived, new Date(T0.getTime() + 2 * HOUR), SLEEP)).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_EXPIRED_SIGNER' }),
    )
  })

  test('is refused for a TTL above 90 days or not positive', () => {
    for (const ttl of [91 * 24 * HOUR, 0, -1]) {
      expect(() => issueAt(pki.cluster1, T0, SLEEP, ttl)).toThrow(
        expect.objectContaining({ code: 'MESHSIM_CA_BAD_TTL' }),
      )
    }
  })

  test('is refused for a non-canonical SPIFFE id', () => {
    for (const id of [
      'spiffe://cluster.local/ns/a/sa/../b',
      'https://x/ns/a/sa/b',
      'spiffe://Cluster.local/ns/a/sa/b',
    ]) {
      expect(() => pki.cluster1.issueWorkload({ identity: id as typeof SLEEP })).toThrow(
        expect.objectContaining({ code: 'MESHSIM_CA_BAD_NAME' }),
      )
    }
  })

  test('can be asked for by identity parts', () => {
    const secret = pki.cluster1.issueWorkload({
      identity: {
        trustDomain: trustDomain('cluster.local'),
        namespace: namespace('sample'),
        serviceAccount: serviceAccount('httpbin'),
      },
    })
    expect(secret.spiffeId).toBe(HTTPBIN)
  })

  test('gets a fresh random serial number each time', () => {
    const serials = new Set(
      Array.from({ length: 20 }, () => leafOf(issueAt(pki.cluster1, T0, SLEEP)).serialNumber),
    )
    expect(serials.size).toBe(20)
  })

  test('comes with an ECDSA P-256 key matching it, and an RSA-2048 one on request', () => {
    const ec = issueAt(pki.cluster1, T0, SLEEP)
    const ecKey = createPrivateKey(ec.privateKeyPem)
    expect(ecKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(createPublicKey(ecKey).equals(leafOf(ec).publicKey)).toBe(true)

    const rsa = pki.cluster1
      .withDefaults({ now: () => T0 })
      .issueWorkload({ identity: SLEEP, keyAlgorithm: 'RSA' })
    const rsaKey = createPrivateKey(rsa.privateKeyPem)
    expect(rsaKey.asymmetricKeyDetails?.modulusLength).toBe(2048)
    expect(createPublicKey(rsaKey).equals(leafOf(rsa).publicKey)).toBe(true)
  })

  test('is delivered as leaf + intermediate, with the root as trust bundle, ready for TLS', () => {
    const secret = issueAt(pki.cluster1, T0, SLEEP)
    const chain = parseCertificates(secret.certChainPem, 'chain')
    expect(chain).toHaveLength(2)
    expect(chain[1]?.raw.equals(pki.cluster1.certificate.raw)).toBe(true)
    expect(secret.rootCertPem).toBe(pki.root.certPem)
    expect(() =>
      createSecureContext({
        key: secret.privateKeyPem,
        cert: secret.certChainPem,
        ca: secret.rootCertPem,
      }),
    ).not.toThrow()
  })
})

describe('a cluster intermediate', () => {
  test('is a CA limited to path length 0, with the cluster in L=', () => {
    const ca = peculiar(pki.cluster1.certificate)
    expect(ca.cert.subject).toBe('O=Istio, CN=Intermediate CA, L=cluster1')
    expect(ca.bc?.ca).toBe(true)
    expect(ca.bc?.pathLength).toBe(0)
    expect(ca.bc?.critical).toBe(true)
    expect(ca.ku?.critical).toBe(true)
    const required = KU.keyCertSign | KU.cRLSign | KU.digitalSignature
    expect((ca.ku?.usages ?? 0) & required).toBe(required)
  })

  test('names istiod in its SAN and chains by key id to the root', () => {
    const ca = peculiar(pki.cluster1.certificate)
    expect(ca.san?.names.toJSON()).toEqual([{ type: 'dns', value: 'istiod.istio-system.svc' }])
    expect(ca.ski?.keyId).toMatch(/^[0-9a-f]{40}$/)
    expect(ca.aki?.keyId).toBe(peculiar(pki.root.certificate).ski?.keyId)
    expect(pki.cluster1.certificate.verify(pki.root.certificate.publicKey)).toBe(true)
  })

  test("lies within the root's validity", () => {
    const root = createRootCa({ now: () => T0, ttlMs: 24 * HOUR })
    const ca = createClusterCa(root, 'cluster1', { now: () => T0 })
    expect(ca.notAfter).toEqual(root.notAfter)
    expect(pki.cluster1.notAfter.getTime()).toBeLessThanOrEqual(pki.root.notAfter.getTime())
  })

  test('holds cert-chain.pem = ca-cert.pem + root-cert.pem', () => {
    expect(pki.cluster1.certChainPem).toBe(pki.cluster1.certPem + pki.root.certPem)
  })

  test('cannot be made by a root loaded without its key', () => {
    const { certificate, certPem, subject, notBefore, notAfter } = pki.root
    const keyless = { certificate, certPem, subject, notBefore, notAfter }
    expect(() => createClusterCa(keyless, 'cluster1')).toThrow(
      expect.objectContaining({ code: 'MESHSIM_CA_ROOT_KEY_MISSING' }),
    )
  })
})

describe('a root', () => {
  test("is self-signed O=Istio, CN=Root CA, a CA for 10 years with the Makefile's key usage", () => {
    const root = peculiar(pki.root.certificate)
    expect(root.cert.subject).toBe('O=Istio, CN=Root CA')
    expect(pki.root.certificate.checkIssued(pki.root.certificate)).toBe(true)
    expect(pki.root.certificate.verify(pki.root.certificate.publicKey)).toBe(true)
    expect(root.bc?.ca).toBe(true)
    expect(root.bc?.critical).toBe(true)
    expect(root.bc?.pathLength).toBeUndefined()
    expect(root.ku?.critical).toBe(true)
    expect(root.ku?.usages).toBe(
      KU.digitalSignature | KU.nonRepudiation | KU.keyEncipherment | KU.keyCertSign | KU.cRLSign,
    )
    expect(root.ski).not.toBeNull()
    expect(pki.root.notAfter.getTime() - pki.root.notBefore.getTime()).toBe(ROOT_TTL_MS)
    expect(ROOT_TTL_MS).toBe(3650 * 24 * HOUR)
  })

  test('can be RSA, signing with sha256WithRSAEncryption', () => {
    const root = createRootCa({ keyAlgorithm: 'RSA', rsaKeySize: 2048, now: () => T0 })
    const ca = createClusterCa(root, 'cluster1', {
      keyAlgorithm: 'RSA',
      rsaKeySize: 2048,
      now: () => T0,
    })
    expect(root.certificate.publicKey.asymmetricKeyType).toBe('rsa')
    expect(new x509.X509Certificate(ca.certificate.raw).signatureAlgorithm).toMatchObject({
      name: 'RSASSA-PKCS1-v1_5',
      hash: { name: 'SHA-256' },
    })
    const leaf = leafOf(issueAt(ca, T0, SLEEP))
    expect(leaf.verify(ca.certificate.publicKey)).toBe(true)
    expect(ca.certificate.verify(root.certificate.publicKey)).toBe(true)
  })
})
