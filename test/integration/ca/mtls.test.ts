// Real node:tls handshakes between workload identities: cross-cluster mTLS under one root works;
// each kind of bad certificate is refused by OpenSSL, by meshsim's SPIFFE check, or both, and
// explainChain says why.

import { beforeAll, describe, expect, test } from 'vitest'
import { type ClusterAuthority, explainChain, type WorkloadSecret } from '../../../src/ca/index.ts'
import {
  buildMeshPki,
  HELLOWORLD,
  HTTPBIN,
  issueAt,
  type MeshPki,
  type Minted,
  mint,
  mintSubCa,
  SLEEP,
  signerFromWorkload,
} from '../../unit/ca/fixture.ts'
import { handshake, type Identity } from './handshake.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
// TLS checks validity against the real clock, so these certificates are minted around it.
const start = Date.now()
const around = { notBefore: new Date(start - HOUR), notAfter: new Date(start + HOUR) }

let pki: MeshPki
let server: Identity
beforeAll(() => {
  pki = buildMeshPki(new Date(start - 7 * DAY))
  server = identity(issueAt(pki.cluster2, new Date(start), HELLOWORLD))
})

function identity(s: WorkloadSecret): Identity {
  return { key: s.privateKeyPem, cert: s.certChainPem, ca: s.rootCertPem }
}

function mintedIdentity(m: Minted, ca: ClusterAuthority): Identity {
  return { key: m.keyPem, cert: m.chainPem, ca: ca.rootCertPem }
}

test('a workload certificate from cluster1 completes mTLS with one from cluster2', async () => {
  const client = identity(issueAt(pki.cluster1, new Date(start), SLEEP))
  const result = await handshake(server, client, HELLOWORLD)
  expect(result.server).toMatchObject({ authorized: true, peerSpiffeId: SLEEP })
  expect(result.client).toMatchObject({
    peerSpiffeId: HELLOWORLD,
    received: 'hello from the server',
  })
  expect(result.client.error).toBeUndefined()
})

describe('refused handshakes', () => {
  test('a client certificate from a foreign root with the same SPIFFE id is refused', async () => {
    const foreign = issueAt(pki.foreignCluster2, new Date(start), SLEEP)
    const result = await handshake(
      server,
      { ...identity(foreign), ca: pki.root.certPem },
      HELLOWORLD,
    )
    expect(result.server).toMatchObject({
      authorized: false,
      errorCode: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    })
    expect(result.client.received).toBe('')
    const verdict = await explainChain({ chain: foreign.certChainPem, roots: server.ca })
    expect(verdict).toMatchObject({ ok: false, code: 'UNKNOWN_ROOT' })
    expect(verdict.ok || verdict.reason).toContain('signed by a different root')
  })

  test('a server certificate from a foreign root is refused by the client', async () => {
    const foreign = issueAt(pki.foreignCluster2, new Date(start), HELLOWORLD)
    const client = identity(issueAt(pki.cluster1, new Date(start), SLEEP))
    const result = await handshake(
      { ...identity(foreign), ca: pki.root.certPem },
      client,
      HELLOWORLD,
    )
    expect(result.client.error).toMatchObject({ code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' })
    expect(result.client.received).toBe('')
  })

  test('an expired client certificate is refused', async () => {
    const expired = issueAt(pki.cluster1, new Date(start - 2 * DAY), SLEEP, HOUR)
    const result = await handshake(server, identity(expired), HELLOWORLD)
    expect(result.server).toMatchObject({ authorized: false, errorCode: 'CERT_HAS_EXPIRED' })
    const verdict = await explainChain({ chain: expired.certChainPem, roots: server.ca })
    expect(verdict).toMatchObject({ ok: false, code: 'EXPIRED' })
    expect(verdict.ok || verdict.reason).toContain(`the workload certificate (${SLEEP}) expired at`)
  })

  test('a client certificate that is not yet valid is refused', async () => {
    const early = issueAt(pki.cluster1, new Date(start + DAY), SLEEP)
    const result = await handshake(server, identity(early), HELLOWORLD)
    expect(result.server).toMatchObject({ authorized: false, errorCode: 'CERT_NOT_YET_VALID' })
    expect(await explainChain({ chain: early.certChainPem, roots: server.ca })).toMatchObject({
      ok: false,
      code: 'NOT_YET_VALID',
    })
  })

  test('a leaf presented as an intermediate (a leaf key signing another leaf) is refused', async () => {
    const victim = issueAt(pki.cluster1, new Date(start), SLEEP)
    const forged = mint(signerFromWorkload(victim), victim.certChainPem, {
      ...around,
      subjectAltName: { uris: [HTTPBIN] },
    })
    const result = await handshake(server, mintedIdentity(forged, pki.cluster1), HELLOWORLD)
    // Istio leaves have empty subjects, so OpenSSL sees the forged leaf as self-issued and refuses
    // it as self-signed before it gets to "invalid CA certificate".
    expect(result.server.authorized).toBe(false)
    expect(['DEPTH_ZERO_SELF_SIGNED_CERT', 'INVALID_CA']).toContain(result.server.errorCode)
    const verdict = await explainChain({ chain: forged.chainPem, roots: server.ca })
    expect(verdict).toMatchObject({ ok: false, code: 'LEAF_AS_CA' })
    expect(verdict.ok || verdict.reason).toContain(
      'is a workload (leaf) certificate but is used to sign',
    )
  })

  test('a chain through an intermediate that exceeds its pathlen is refused', async () => {
    const sub = mintSubCa(pki.cluster1.signer, pki.cluster1.certPem, around)
    const leaf = mint(sub.signer, sub.chainPem, around)
    const result = await handshake(server, mintedIdentity(leaf, pki.cluster1), HELLOWORLD)
    expect(result.server).toMatchObject({ authorized: false, errorCode: 'PATH_LENGTH_EXCEEDED' })
    expect(await explainChain({ chain: leaf.chainPem, roots: server.ca })).toMatchObject({
      ok: false,
      code: 'PATHLEN_EXCEEDED',
    })
  })

  test('a server with a valid certificate for the wrong SPIFFE id is refused by the client', async () => {
    const client = identity(issueAt(pki.cluster1, new Date(start), SLEEP))
    const wrong = identity(issueAt(pki.cluster2, new Date(start), HTTPBIN))
    const result = await handshake(wrong, client, HELLOWORLD)
    expect(result.client.error).toMatchObject({ code: 'SPIFFE_MISMATCH' })
    expect(result.client.error?.message).toContain(
      `SPIFFE id ${HTTPBIN} is not the expected ${HELLOWORLD}`,
    )
    expect(result.client.received).toBe('')
  })

  test('a client leaf with CA:true passes OpenSSL but is refused by the SPIFFE leaf check', async () => {
    const caLeaf = mint(pki.cluster1.signer, pki.cluster1.certPem, {
      ...around,
      basicConstraints: { ca: true },
      keyUsage: ['digitalSignature', 'keyEncipherment', 'keyCertSign'],
    })
    const result = await handshake(server, mintedIdentity(caLeaf, pki.cluster1), HELLOWORLD)
    expect(result.server.authorized).toBe(true)
    expect(result.server.svid).toMatchObject({ ok: false, code: 'LEAF_IS_CA' })
    expect(result.server.peerSpiffeId).toBeUndefined()
    const verdict = await explainChain({ chain: caLeaf.chainPem, roots: server.ca })
    expect(verdict).toMatchObject({ ok: false, code: 'LEAF_IS_CA' })
  })
})
