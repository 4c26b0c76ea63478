// The one signing path: a TBSCertificate built from asn1-x509 schema classes, signed with
// node:crypto.sign, assembled into a Certificate. Issuer constants are encoded once per Signer.

import { type KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import {
  Certificate,
  type Extension,
  Extensions,
  type Name,
  type SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509'
import {
  authorityKeyIdExt,
  basicConstraintsExt,
  buildName,
  certificateFacts,
  type ExtKeyUsageName,
  encodeOnce,
  extKeyUsageExt,
  type KeyUsageName,
  keyUsageExt,
  type NameSpec,
  preEncoded,
  subjectAltNameExt,
  subjectKeyIdExt,
} from './asn1.ts'
import { KeyMismatchError } from './errors.ts'
import { keyIdentifier, keysMatch, type SignatureAlgorithm, signatureAlgorithmFor } from './keys.ts'
import { displayName } from './pem.ts'

/** Everything needed to sign as one issuer, with its name and key id encoded once. */
export interface Signer {
  /** The issuer's subject, pre-encoded (it becomes the issuer field of what it signs). */
  readonly name: Name
  /** Human form of the subject, e.g. `O=Istio, CN=Intermediate CA, L=cluster1`. */
  readonly subject: string
  /** Subject key identifier, copied into the authority key identifier of what it signs. */
  readonly keyId: Uint8Array
  readonly privateKey: KeyObject
  readonly algorithm: SignatureAlgorithm
  /** The issuer's own certificate (absent while a root signs itself). */
  readonly certificate?: X509Certificate
}

/** A Signer for an existing CA certificate and its private key. */
export function createSigner(certificate: X509Certificate, privateKey: KeyObject): Signer {
  if (!keysMatch(privateKey, certificate.publicKey)) {
    throw new KeyMismatchError(
      `the private key does not belong to the certificate ${displayName(certificate)}; pass the key file generated with it`,
    )
  }
  const facts = certificateFacts(certificate)
  return {
    name: encodeOnce(facts.subjectName),
    subject: displayName(certificate),
    keyId: facts.subjectKeyId ?? keyIdentifier(certificate.publicKey),
    privateKey,
    algorithm: signatureAlgorithmFor(privateKey),
    certificate,
  }
}

/** A positive 128-bit serial number, minimally encoded (first byte 0x01..0x7f). */
export function randomSerial(): ArrayBuffer {
  const serial = randomBytes(16)
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01
  return serial.buffer.slice(serial.byteOffset, serial.byteOffset + 16) as ArrayBuffer
}

/** The parts of a certificate that vary per certificate; the Signer supplies the rest. */
export interface CertificateParts {
  readonly subject: Name
  readonly subjectPublicKeyInfo: SubjectPublicKeyInfo
  readonly notBefore: Date
  readonly notAfter: Date
  readonly extensions: readonly Extension[]
  readonly serialNumber?: ArrayBuffer
}

/** Signs `parts` as `signer`; returns the certificate's DER. */
export function assembleCertificate(parts: CertificateParts, signer: Signer): Buffer {
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: parts.serialNumber ?? randomSerial(),
    signature: signer.algorithm.identifier,
    issuer: signer.name,
    validity: new Validity({ notBefore: parts.notBefore, notAfter: parts.notAfter }),
    subject: parts.subject,
    subjectPublicKeyInfo: parts.subjectPublicKeyInfo,
    extensions: new Extensions([...parts.extensions]),
  })
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs))
  const signature = sign(signer.algorithm.hash, tbsDer, signer.privateKey)
  const cert = new Certificate({
    tbsCertificate: preEncoded<TBSCertificate>(tbsDer),
    signatureAlgorithm: signer.algorithm.identifier,
    signatureValue: signature.buffer.slice(
      signature.byteOffset,
      signature.byteOffset + signature.byteLength,
    ) as ArrayBuffer,
  })
  return Buffer.from(AsnConvert.serialize(cert))
}

/** The public key as an already-encoded SubjectPublicKeyInfo. */
export function spkiOf(publicKey: KeyObject): SubjectPublicKeyInfo {
  return preEncoded<SubjectPublicKeyInfo>(publicKey.export({ type: 'spki', format: 'der' }))
}

/** A certificate described by meaning rather than by extension bytes. */
export interface CertificateTemplate {
  /** Empty for Istio workload certificates. */
  readonly subject: NameSpec
  readonly publicKey: KeyObject
  readonly notBefore: Date
  readonly notAfter: Date
  /** Absent: no basicConstraints extension at all. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number }
  /** Written critical; absent: no keyUsage extension. */
  readonly keyUsage?: readonly KeyUsageName[]
  readonly extKeyUsage?: readonly ExtKeyUsageName[]
  readonly subjectAltName?: {
    readonly uris?: readonly string[]
    readonly dnsNames?: readonly string[]
    /** Istio marks the SAN critical when the subject is empty. Default: subject is empty. */
    readonly critical?: boolean
  }
  /** Default: only CA certificates get a subjectKeyIdentifier (as Go's x509 does). */
  readonly subjectKeyIdentifier?: boolean
  readonly serialNumber?: ArrayBuffer
}

function templateExtensions(t: CertificateTemplate, authorityKeyId?: Uint8Array): Extension[] {
  const exts: Extension[] = []
  if (t.keyUsage) exts.push(keyUsageExt(t.keyUsage))
  if (t.extKeyUsage) exts.push(extKeyUsageExt(t.extKeyUsage))
  if (t.basicConstraints)
    exts.push(basicConstraintsExt(t.basicConstraints.ca, t.basicConstraints.pathLen))
  if (t.subjectKeyIdentifier ?? t.basicConstraints?.ca === true) {
    exts.push(subjectKeyIdExt(keyIdentifier(t.publicKey)))
  }
  if (authorityKeyId) exts.push(authorityKeyIdExt(authorityKeyId))
  const san = t.subjectAltName
  if (san && ((san.uris?.length ?? 0) > 0 || (san.dnsNames?.length ?? 0) > 0)) {
    exts.push(subjectAltNameExt(san, san.critical ?? t.subject.length === 0))
  }
  return exts
}

function partsOf(t: CertificateTemplate, authorityKeyId?: Uint8Array): CertificateParts {
  return {
    subject: buildName(t.subject),
    subjectPublicKeyInfo: spkiOf(t.publicKey),
    notBefore: t.notBefore,
    notAfter: t.notAfter,
    extensions: templateExtensions(t, authorityKeyId),
    ...(t.serialNumber ? { serialNumber: t.serialNumber } : {}),
  }
}

/** Signs a template as `signer` (no validity or CA checks: this can mint deliberately bad certificates). */
export function signCertificate(template: CertificateTemplate, signer: Signer): X509Certificate {
  return new X509Certificate(assembleCertificate(partsOf(template, signer.keyId), signer))
}

/** Signs a template with its own key (a self-signed root; no authorityKeyIdentifier, as OpenSSL). */
export function selfSignCertificate(
  template: CertificateTemplate,
  privateKey: KeyObject,
): X509Certificate {
  const keyId = keyIdentifier(template.publicKey)
  const self: Signer = {
    name: encodeOnce(buildName(template.subject)),
    subject: '(self)',
    keyId,
    privateKey,
    algorithm: signatureAlgorithmFor(privateKey),
  }
  return new X509Certificate(assembleCertificate(partsOf(template), self))
}
