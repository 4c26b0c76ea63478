// Checks shared by the loaders: readable file, CA-ness, validity window, key ownership.

import type { KeyObject, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { certificateFacts } from './asn1.ts'
import {
  CertificateExpiredError,
  CertificateNotYetValidError,
  KeyMismatchError,
  NotACaError,
  ReadError,
} from './errors.ts'
import { keysMatch } from './keys.ts'
import { displayName } from './pem.ts'

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new ReadError(
      code === 'ENOENT'
        ? `${file} does not exist; check the path`
        : `cannot read ${file} (${code ?? (cause as Error).message}); check its permissions`,
      { files: [file], cause },
    )
  }
}

/** Throws unless `cert` may sign certificates (CA:true and, if keyUsage is present, keyCertSign). */
export function assertCa(cert: X509Certificate, file: string): void {
  const facts = certificateFacts(cert)
  if (facts.basicConstraints?.ca !== true) {
    throw new NotACaError(
      `${file} (${displayName(cert)}) is not a CA certificate (basicConstraints CA:true is missing), so it cannot sign; use the CA certificate, not a workload certificate`,
      { files: [file] },
    )
  }
  if (facts.keyUsage && !facts.keyUsage.usages.has('keyCertSign')) {
    throw new NotACaError(
      `${file} (${displayName(cert)}) is a CA certificate without the keyCertSign key usage, so it cannot sign certificates; regenerate it with keyUsage keyCertSign`,
      { files: [file] },
    )
  }
}

/** Throws unless `now` lies within the certificate's validity window. */
export function assertValidAt(cert: X509Certificate, file: string, now: Date): void {
  if (now.getTime() > cert.validToDate.getTime()) {
    throw new CertificateExpiredError(
      `${file} (${displayName(cert)}) expired at ${cert.validToDate.toISOString()}; generate a new one (meshsim certs)`,
      { files: [file] },
    )
  }
  if (now.getTime() < cert.validFromDate.getTime()) {
    throw new CertificateNotYetValidError(
      `${file} (${displayName(cert)}) is not valid before ${cert.validFromDate.toISOString()}; check the clock of the machine that made it`,
      { files: [file] },
    )
  }
}

export function assertKeyMatches(
  key: KeyObject,
  cert: X509Certificate,
  keyFile: string,
  certFile: string,
): void {
  if (!keysMatch(key, cert.publicKey)) {
    throw new KeyMismatchError(
      `${keyFile} is not the private key of ${certFile} (${displayName(cert)}); the two files come from different generations, copy both from the same run`,
      { files: [keyFile, certFile] },
    )
  }
}

/** True when two certificates are byte-identical. */
export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw)
}
