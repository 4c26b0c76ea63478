// Key pairs (node:crypto), the signature algorithm each issuer key implies, and key identifiers.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from '@peculiar/asn1-x509'
import type { KeyAlgorithm } from '../model/index.ts'
import { encodeOnce } from './asn1.ts'
import { BadPemError, UnsupportedKeyError } from './errors.ts'

export interface KeyPair {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

export interface KeyOptions {
  readonly keyAlgorithm?: KeyAlgorithm
  /** RSA modulus length in bits. */
  readonly rsaKeySize?: number
}

/** An ECDSA P-256 key pair, or RSA of `rsaKeySize` bits. */
export function generateKeyPair(algorithm: KeyAlgorithm, rsaKeySize = 2048): KeyPair {
  return algorithm === 'RSA'
    ? generateKeyPairSync('rsa', { modulusLength: rsaKeySize })
    : generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
}

/** A fresh key pair already encoded: SPKI DER and PKCS#8 PEM (encoding while generating is faster). */
export function generateEncodedKeyPair(
  algorithm: KeyAlgorithm,
  rsaKeySize = 2048,
): { readonly spkiDer: Buffer; readonly privateKeyPem: string } {
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const
  const { publicKey, privateKey } =
    algorithm === 'RSA'
      ? generateKeyPairSync('rsa', {
          modulusLength: rsaKeySize,
          publicKeyEncoding,
          privateKeyEncoding,
        })
      : generateKeyPairSync('ec', {
          namedCurve: 'prime256v1',
          publicKeyEncoding,
          privateKeyEncoding,
        })
  return { spkiDer: publicKey, privateKeyPem: privateKey }
}

/** A private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string
}

/** Reads a private key from PEM (PKCS#8, PKCS#1 or SEC1); `source` names the file in errors. */
export function parsePrivateKey(pem: string, source: string): KeyObject {
  try {
    return createPrivateKey(pem)
  } catch (cause) {
    throw new BadPemError(
      `${source} is not a readable private key (${(cause as Error).message}); give an unencrypted PEM key`,
      { files: [source], cause },
    )
  }
}

/** True when `privateKey` is the private half of `publicKey`. */
export function keysMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const a = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  const b = publicKey.export({ type: 'spki', format: 'der' })
  return a.equals(b)
}

/** The key identifier of RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = AsnConvert.parse(
    publicKey.export({ type: 'spki', format: 'der' }),
    SubjectPublicKeyInfo,
  )
  return createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest()
}

export interface SignatureAlgorithm {
  /** Digest passed to node:crypto.sign. */
  readonly hash: 'sha256' | 'sha384'
  /** The AlgorithmIdentifier, pre-encoded. */
  readonly identifier: AlgorithmIdentifier
  readonly name: string
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2'
const ECDSA_SHA384 = '1.2.840.10045.4.3.3'
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11'

function algorithm(oid: string, hash: 'sha256' | 'sha384', name: string, nullParams: boolean) {
  const id = new AlgorithmIdentifier({ algorithm: oid })
  if (nullParams) id.parameters = null
  return { hash, identifier: encodeOnce(id), name }
}

const ALGORITHMS = {
  p256: algorithm(ECDSA_SHA256, 'sha256', 'ecdsa-with-SHA256', false),
  p384: algorithm(ECDSA_SHA384, 'sha384', 'ecdsa-with-SHA384', false),
  rsa: algorithm(SHA256_WITH_RSA, 'sha256', 'sha256WithRSAEncryption', true),
} as const satisfies Record<string, SignatureAlgorithm>

/** How certificates signed by `privateKey` are signed (X.509 wants DER ECDSA-Sig-Value / PKCS#1 v1.5). */
export function signatureAlgorithmFor(privateKey: KeyObject): SignatureAlgorithm {
  const type = privateKey.asymmetricKeyType
  if (type === 'rsa') return ALGORITHMS.rsa
  if (type === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve
    if (curve === 'prime256v1') return ALGORITHMS.p256
    if (curve === 'secp384r1') return ALGORITHMS.p384
  }
  throw new UnsupportedKeyError(
    `cannot sign with a ${type ?? 'unknown'} key${type === 'ec' ? ` on curve ${privateKey.asymmetricKeyDetails?.namedCurve}` : ''}; use RSA, ECDSA P-256 or P-384`,
  )
}
