// The mesh root CA, as Istio's tools/certs Makefile makes it (O=Istio, CN=Root CA, 10 years),
// generated here or loaded from root-cert.pem / root-key.pem.

import type { X509Certificate } from 'node:crypto'
import type { KeyUsageName, NameSpec } from './asn1.ts'
import { createSigner, type Signer, selfSignCertificate } from './certificate.ts'
import { assertCa, assertKeyMatches, assertValidAt, readText } from './checks.ts'
import { generateKeyPair, type KeyOptions, parsePrivateKey, privateKeyPem } from './keys.ts'
import { displayName, parseCertificate, toPem } from './pem.ts'

export const ROOT_SUBJECT: NameSpec = [
  ['O', 'Istio'],
  ['CN', 'Root CA'],
]
/** 3650 days, as the Makefile's ROOTCA_DAYS. */
export const ROOT_TTL_MS = 3650 * 24 * 3_600_000
/** The Makefile's keyUsage for root and intermediates, plus cRLSign. */
export const CA_KEY_USAGE: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'keyCertSign',
  'cRLSign',
]

export interface RootAuthority {
  readonly certificate: X509Certificate
  /** root-cert.pem */
  readonly certPem: string
  /** root-key.pem; absent when the root was loaded without its key. */
  readonly keyPem?: string
  /** Absent when the root was loaded without its key: it can then only be trusted, not sign. */
  readonly signer?: Signer
  /** e.g. `O=Istio, CN=Root CA` */
  readonly subject: string
  readonly notBefore: Date
  readonly notAfter: Date
}

export interface RootOptions extends KeyOptions {
  readonly now?: () => Date
  readonly ttlMs?: number
  readonly subject?: NameSpec
}

function rootFrom(certificate: X509Certificate, keyPem?: string, signer?: Signer): RootAuthority {
  return {
    certificate,
    certPem: toPem(certificate.raw),
    ...(keyPem === undefined ? {} : { keyPem }),
    ...(signer === undefined ? {} : { signer }),
    subject: displayName(certificate),
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate,
  }
}

/** A new self-signed root: ECDSA P-256 by default, RSA 4096 (the Makefile's) with keyAlgorithm 'RSA'. */
export function createRootCa(opts: RootOptions = {}): RootAuthority {
  const now = (opts.now ?? (() => new Date()))()
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000)
  const keys = generateKeyPair(opts.keyAlgorithm ?? 'ECDSA', opts.rsaKeySize ?? 4096)
  const certificate = selfSignCertificate(
    {
      subject: opts.subject ?? ROOT_SUBJECT,
      publicKey: keys.publicKey,
      notBefore,
      notAfter: new Date(notBefore.getTime() + (opts.ttlMs ?? ROOT_TTL_MS)),
      basicConstraints: { ca: true },
      keyUsage: CA_KEY_USAGE,
    },
    keys.privateKey,
  )
  return rootFrom(
    certificate,
    privateKeyPem(keys.privateKey),
    createSigner(certificate, keys.privateKey),
  )
}

/**
 * A root from root-cert.pem (and root-key.pem when it must sign intermediates). The certificate
 * must be a CA valid now; the key must be the certificate's.
 */
export function loadRootCa(
  certFile: string,
  keyFile?: string,
  opts: { readonly now?: () => Date } = {},
): RootAuthority {
  const certificate = parseCertificate(readText(certFile), certFile)
  assertCa(certificate, certFile)
  assertValidAt(certificate, certFile, (opts.now ?? (() => new Date()))())
  if (keyFile === undefined) return rootFrom(certificate)
  const keyPem = readText(keyFile)
  const key = parsePrivateKey(keyPem, keyFile)
  assertKeyMatches(key, certificate, keyFile, certFile)
  return rootFrom(certificate, keyPem, createSigner(certificate, key))
}
