// Workload certificates as istiod issues them: one critical URI SAN, empty subject, 2 min
// backdating, TTL clamped to the issuer's NotAfter, delivered in the shape of Istio's SDS secret.

import type { KeyObject } from 'node:crypto'
import type { Extension, Name } from '@peculiar/asn1-x509'
import {
  spiffeId as formatSpiffeId,
  type KeyAlgorithm,
  parseSpiffeId,
  type SpiffeId,
  type WorkloadIdentity,
} from '../model/index.ts'
import {
  authorityKeyIdExt,
  basicConstraintsExt,
  buildName,
  encodeOnce,
  extKeyUsageExt,
  keyUsageExt,
  preEncoded,
  subjectAltNameExt,
} from './asn1.ts'
import { assembleCertificate, type Signer } from './certificate.ts'
import { BadNameError, BadTtlError, ExpiredSignerError } from './errors.ts'
import { generateEncodedKeyPair } from './keys.ts'
import { toPem } from './pem.ts'

/** NotBefore is backdated by this much for clock skew (Istio). */
export const CLOCK_SKEW_GRACE_MS = 2 * 60_000
/** Istio's DEFAULT_WORKLOAD_CERT_TTL. */
export const DEFAULT_WORKLOAD_TTL_MS = 24 * 3_600_000
/** Istio's MAX_WORKLOAD_CERT_TTL. */
export const MAX_WORKLOAD_TTL_MS = 90 * 24 * 3_600_000

/** What the proxy receives over SDS: ready for `tls.createSecureContext({ key, cert, ca })`. */
export interface WorkloadSecret {
  readonly spiffeId: SpiffeId
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string
  /** Leaf first, then the issuing intermediate(s); the root is not included. */
  readonly certChainPem: string
  /** The trust bundle (Istio's ROOTCA resource). */
  readonly rootCertPem: string
  readonly notBefore: Date
  readonly notAfter: Date
}

export interface WorkloadRequest {
  /** `spiffe://<td>/ns/<ns>/sa/<sa>` or its parts. */
  readonly identity: SpiffeId | WorkloadIdentity
  /** Requested lifetime; default the issuer's (24 h). */
  readonly ttlMs?: number
  /** Default the issuer's (ECDSA). */
  readonly keyAlgorithm?: KeyAlgorithm
  /** Bring a key instead of generating one (privateKeyPem is then left empty). */
  readonly publicKey?: KeyObject
}

export interface WorkloadIssuerOptions {
  readonly signer: Signer
  /** The signer's certificate and any intermediates above it, PEM, root excluded. */
  readonly intermediatesPem: string
  readonly rootCertPem: string
  readonly signerNotAfter: Date
  readonly now?: () => Date
  readonly ttlMs?: number
  readonly keyAlgorithm?: KeyAlgorithm
}

export type IssueWorkload = (request: WorkloadRequest) => WorkloadSecret

const floorToSecond = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

function spiffeIdOf(identity: SpiffeId | WorkloadIdentity): SpiffeId {
  const id = typeof identity === 'string' ? identity : formatSpiffeId(identity)
  if (!parseSpiffeId(id)) {
    throw new BadNameError(
      `${id} is not a canonical Istio SPIFFE id; use spiffe://<trust-domain>/ns/<namespace>/sa/<service-account> in lower case`,
    )
  }
  return id as SpiffeId
}

/** An issuing function with the issuer's constant extensions encoded once. */
export function createWorkloadIssuer(opts: WorkloadIssuerOptions): IssueWorkload {
  const now = opts.now ?? (() => new Date())
  const defaultTtl = opts.ttlMs ?? DEFAULT_WORKLOAD_TTL_MS
  const emptySubject: Name = encodeOnce(buildName([]))
  const constant: Extension[] = [
    keyUsageExt(['digitalSignature', 'keyEncipherment']),
    extKeyUsageExt(['serverAuth', 'clientAuth']),
    basicConstraintsExt(false),
    authorityKeyIdExt(opts.signer.keyId),
  ].map((e) => encodeOnce(e))
  const signerNotAfter = opts.signerNotAfter.getTime()
  const signerLabel = opts.signer.subject

  return (request) => {
    const id = spiffeIdOf(request.identity)
    const ttl = request.ttlMs ?? defaultTtl
    if (!(ttl > 0) || ttl > MAX_WORKLOAD_TTL_MS) {
      throw new BadTtlError(
        `workload certificate TTL ${ttl} ms is outside (0, 90 days] (Istio's MAX_WORKLOAD_CERT_TTL); ask for less`,
      )
    }
    const t = now().getTime()
    if (t >= signerNotAfter) {
      throw new ExpiredSignerError(
        `cannot sign ${id}: the signing CA (${signerLabel}) expired at ${new Date(signerNotAfter).toISOString()}; rotate the intermediate (regenerate the cluster's cacerts)`,
      )
    }
    const notBefore = floorToSecond(t - CLOCK_SKEW_GRACE_MS)
    const notAfter = floorToSecond(Math.min(t + ttl, signerNotAfter))
    const keys = request.publicKey
      ? { spkiDer: request.publicKey.export({ type: 'spki', format: 'der' }), privateKeyPem: '' }
      : generateEncodedKeyPair(request.keyAlgorithm ?? opts.keyAlgorithm ?? 'ECDSA')
    const der = assembleCertificate(
      {
        subject: emptySubject,
        subjectPublicKeyInfo: preEncoded(keys.spkiDer),
        notBefore,
        notAfter,
        extensions: [...constant, subjectAltNameExt({ uris: [id] }, true)],
      },
      opts.signer,
    )
    return {
      spiffeId: id,
      privateKeyPem: keys.privateKeyPem,
      certChainPem: toPem(der) + opts.intermediatesPem,
      rootCertPem: opts.rootCertPem,
      notBefore,
      notAfter,
    }
  }
}
