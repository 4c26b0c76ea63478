// A proxy's SDS secrets as `istioctl proxy-config secret` shows them: `default` (its certificate
// chain: the leaf with its SPIFFE id, then the intermediate) and `ROOTCA` (the mesh root), each
// with serial and validity.

import { X509Certificate } from 'node:crypto'
import type { WorkloadSecret } from '../xds/index.ts'

export interface CertificateSummary {
  readonly subject: string
  readonly issuer: string
  /** Lower-case hex, as Envoy's config dump prints it. */
  readonly serialNumber: string
  readonly notBefore: string
  readonly notAfter: string
  /** URI SANs (the SPIFFE id of a workload certificate). */
  readonly uris: readonly string[]
}

export interface SecretSummary {
  /** `default` or `ROOTCA`. */
  readonly name: string
  readonly type: 'Cert Chain' | 'CA'
  readonly status: 'ACTIVE'
  /** Whether the first certificate is valid now. */
  readonly validCert: boolean
  readonly certificates: readonly CertificateSummary[]
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

const iso = (date: string) => new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z')

function summary(pem: string): CertificateSummary {
  const c = new X509Certificate(pem)
  const uris = (c.subjectAltName ?? '')
    .split(', ')
    .filter((s) => s.startsWith('URI:'))
    .map((s) => s.slice(4))
  return {
    subject: c.subject.replaceAll('\n', ', '),
    issuer: c.issuer.replaceAll('\n', ', '),
    serialNumber: c.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: iso(c.validFrom),
    notAfter: iso(c.validTo),
    uris,
  }
}

function entry(name: string, type: SecretSummary['type'], pems: string, now: Date): SecretSummary {
  const certificates = (pems.match(PEM) ?? []).map(summary)
  const first = certificates[0]
  const validCert =
    first !== undefined && new Date(first.notBefore) <= now && now <= new Date(first.notAfter)
  return { name, type, status: 'ACTIVE', validCert, certificates }
}

export function secretSummaries(secret: WorkloadSecret, now = new Date()): SecretSummary[] {
  return [
    entry('default', 'Cert Chain', secret.certChainPem, now),
    entry('ROOTCA', 'CA', secret.rootCertPem, now),
  ]
}
