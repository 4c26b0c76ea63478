// PEM text <-> DER bytes, and certificate parsing with messages that name the file.

import { X509Certificate } from 'node:crypto'
import { BadPemError } from './errors.ts'

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g

export interface PemBlock {
  readonly label: string
  readonly der: Buffer
}

/** Every PEM block in `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = []
  for (const m of text.matchAll(PEM_RE)) {
    blocks.push({ label: m[1] ?? '', der: Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64') })
  }
  return blocks
}

/** DER bytes as PEM text with 64-column lines and a trailing newline. */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')
  let body = ''
  for (let i = 0; i < b64.length; i += 64) body += `${b64.slice(i, i + 64)}\n`
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`
}

/** All certificates of a PEM text; `source` names the file in errors. */
export function parseCertificates(text: string, source: string): X509Certificate[] {
  const blocks = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE')
  if (blocks.length === 0) {
    throw new BadPemError(
      `${source} holds no "-----BEGIN CERTIFICATE-----" block; give a PEM-encoded X.509 certificate`,
      { files: [source] },
    )
  }
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b.der)
    } catch (cause) {
      throw new BadPemError(
        `certificate ${i + 1} in ${source} is not a valid X.509 certificate (${(cause as Error).message}); regenerate the file`,
        { files: [source], cause },
      )
    }
  })
}

/** The one certificate of a PEM text (extra blocks are an error). */
export function parseCertificate(text: string, source: string): X509Certificate {
  const certs = parseCertificates(text, source)
  if (certs.length !== 1) {
    throw new BadPemError(
      `${source} holds ${certs.length} certificates where one is expected; keep only the first`,
      { files: [source] },
    )
  }
  return certs[0] as X509Certificate
}

// node leaves subject/issuer undefined (despite its types) when the name is empty.
export const subjectOf = (cert: X509Certificate): string => cert.subject ?? ''
export const issuerOf = (cert: X509Certificate): string => cert.issuer ?? ''

/** `O=Istio\nCN=Root CA` (node's form) as `O=Istio, CN=Root CA`. */
export function displayName(cert: X509Certificate): string {
  return formatDn(subjectOf(cert))
}

export function formatDn(dn: string): string {
  const s = dn.split('\n').filter(Boolean).join(', ')
  return s === '' ? '(empty name)' : s
}
