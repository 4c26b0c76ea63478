// Chain validation that explains itself: pkijs gives the RFC 5280 verdict, meshsim walks the
// chain to name the cause in a learner's words, and adds the SPIFFE X509-SVID leaf rules that
// OpenSSL does not enforce (exactly one canonical spiffe:// URI SAN, leaf not a CA).

import { webcrypto, X509Certificate } from 'node:crypto'
import * as pkijs from 'pkijs'
import { parseSpiffeId, type SpiffeId } from '../model/index.ts'
import { certificateFacts, subjectAttribute } from './asn1.ts'
import { displayName, formatDn, issuerOf, pemBlocks, subjectOf } from './pem.ts'

export type ChainProblemCode =
  | 'EMPTY_CHAIN'
  | 'MALFORMED'
  | 'UNKNOWN_ROOT'
  | 'UNKNOWN_ISSUER'
  | 'BAD_SIGNATURE'
  | 'LEAF_AS_CA'
  | 'CA_CANNOT_SIGN'
  | 'PATHLEN_EXCEEDED'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'LEAF_IS_CA'
  | 'BAD_SPIFFE_SAN'
  | 'SPIFFE_MISMATCH'
  | 'REJECTED'

export interface CertificateRef {
  readonly position: 'leaf' | 'intermediate' | 'root'
  /** 0-based index into the presented chain (or into the trusted roots for 'root'). */
  readonly index: number
  readonly subject: string
  /** The certificate's only URI SAN, when it has exactly one. */
  readonly spiffeId?: string
}

export type ChainVerdict =
  | {
      readonly ok: true
      readonly spiffeId: SpiffeId
      /** Leaf (as its SPIFFE id) to trusted root (as subjects). */
      readonly path: readonly string[]
    }
  | {
      readonly ok: false
      readonly code: ChainProblemCode
      /** What is wrong, naming the certificate, in words a learner understands. */
      readonly reason: string
      readonly certificate?: CertificateRef
    }

type Problem = Extract<ChainVerdict, { ok: false }>

/** PEM text (one or more blocks), DER bytes, or a parsed certificate. */
export type CertificateInput = string | Uint8Array | X509Certificate

export interface ExplainInput {
  /** Leaf first, then intermediates (a trailing root is allowed). */
  readonly chain: CertificateInput | readonly CertificateInput[]
  /** The trust bundle (root-cert.pem). */
  readonly roots: CertificateInput | readonly CertificateInput[]
  /** When given, the leaf's SPIFFE id must be one of these (Istio's secure naming). */
  readonly expectedSpiffeIds?: readonly string[]
  /** The instant to validate at; default now(). */
  readonly at?: Date
  readonly now?: () => Date
}

function toCertificates(input: CertificateInput | readonly CertificateInput[]): X509Certificate[] {
  const items = Array.isArray(input)
    ? (input as readonly CertificateInput[])
    : [input as CertificateInput]
  return items.flatMap((item) => {
    if (item instanceof X509Certificate) return [item]
    if (typeof item === 'string') {
      return pemBlocks(item)
        .filter((b) => b.label === 'CERTIFICATE')
        .map((b) => new X509Certificate(b.der))
    }
    return [new X509Certificate(item)]
  })
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ]
  for (const [size, unit] of units) {
    if (ms >= size * (unit === 'd' ? 2 : 1)) return `${Math.round((ms / size) * 10) / 10} ${unit}`
  }
  return `${ms} ms`
}

function fingerprint(cert: X509Certificate): string {
  return `SHA-256 ${cert.fingerprint256.slice(0, 23)}…`
}

/** All URI SANs of a certificate. */
function uriSans(cert: X509Certificate): readonly string[] {
  return certificateFacts(cert).subjectAltName?.uris ?? []
}

interface Walk {
  readonly certs: readonly X509Certificate[]
  readonly roots: readonly X509Certificate[]
  /** Indices into certs, leaf first. */
  readonly path: number[]
  anchor?: number
}

function describe(w: Walk, i: number): string {
  const cert = w.certs[i] as X509Certificate
  if (i === 0) {
    const uris = uriSans(cert)
    return `the workload certificate (${uris.length === 1 ? uris[0] : displayName(cert)})`
  }
  return `certificate ${i + 1} (${displayName(cert)})`
}

function describeRoot(w: Walk, r: number): string {
  const root = w.roots[r] as X509Certificate
  return `the trusted root (root-cert.pem: ${displayName(root)}, ${fingerprint(root)})`
}

function trustedList(w: Walk): string {
  return w.roots.map((r) => `root-cert.pem: ${displayName(r)}, ${fingerprint(r)}`).join('; ')
}

function ref(w: Walk, i: number): CertificateRef {
  const cert = w.certs[i] as X509Certificate
  const uris = uriSans(cert)
  return {
    position: i === 0 ? 'leaf' : 'intermediate',
    index: i,
    subject: displayName(cert),
    ...(uris.length === 1 ? { spiffeId: uris[0] as string } : {}),
  }
}

function rootRef(w: Walk, r: number): CertificateRef {
  return { position: 'root', index: r, subject: displayName(w.roots[r] as X509Certificate) }
}

const signedBy = (cert: X509Certificate, issuer: X509Certificate): boolean =>
  issuerOf(cert) === subjectOf(issuer) && cert.verify(issuer.publicKey)

/** Builds the path leaf → trusted root; a problem when it cannot. */
function buildPath(w: Walk): Problem | undefined {
  const { certs, roots, path } = w
  for (let hop = 0; hop <= certs.length; hop++) {
    const i = path.at(-1) as number
    const cur = certs[i] as X509Certificate
    if (i > 0) {
      const same = roots.findIndex((r) => r.raw.equals(cur.raw))
      if (same >= 0) {
        path.pop()
        w.anchor = same
        return undefined
      }
    }
    const anchor = roots.findIndex((r) => signedBy(cur, r))
    if (anchor >= 0) {
      w.anchor = anchor
      return undefined
    }
    const named = certs.flatMap((c, j) =>
      !path.includes(j) && subjectOf(c) === issuerOf(cur) ? [j] : [],
    )
    const next = named.find((j) => cur.verify((certs[j] as X509Certificate).publicKey))
    if (next !== undefined) {
      path.push(next)
      continue
    }
    const selfSigned = issuerOf(cur) === subjectOf(cur) && cur.verify(cur.publicKey)
    if (selfSigned && path.length > 1) {
      const below = path.at(-2) as number
      return {
        ok: false,
        code: 'UNKNOWN_ROOT',
        reason: `${describe(w, below)} was signed by a different root (certificate ${i + 1}: ${displayName(cur)}, ${fingerprint(cur)}) than the one this proxy trusts (${trustedList(w)}) — all clusters must share one root`,
        certificate: ref(w, below),
      }
    }
    if (named.length > 0) {
      const j = named[0] as number
      return {
        ok: false,
        code: 'BAD_SIGNATURE',
        reason: `${describe(w, i)} names ${describe(w, j)} as its issuer, but the signature does not match that certificate's key: it was signed by another key with the same name`,
        certificate: ref(w, i),
      }
    }
    if (roots.some((r) => subjectOf(r) === issuerOf(cur)) || selfSigned) {
      return {
        ok: false,
        code: 'UNKNOWN_ROOT',
        reason: `${describe(w, i)} was signed by a different root than the one this proxy trusts (${trustedList(w)}) — all clusters must share one root`,
        certificate: ref(w, i),
      }
    }
    return {
      ok: false,
      code: 'UNKNOWN_ISSUER',
      reason: `${describe(w, i)} was issued by ${formatDn(issuerOf(cur))}, which is neither in the presented chain nor a trusted root (${trustedList(w)}); present the intermediate too (cert-chain.pem)`,
      certificate: ref(w, i),
    }
  }
  return { ok: false, code: 'REJECTED', reason: 'the presented chain loops' }
}

function clusterLabel(cert: X509Certificate, fallback: string): string {
  const l = subjectAttribute(cert, 'L')
  return l === undefined ? fallback : `the intermediate of ${l} (${displayName(cert)})`
}

/** CA flags, keyCertSign and path lengths along the built path. */
function checkIssuers(w: Walk): Problem | undefined {
  const { certs, path } = w
  for (let k = 1; k < path.length; k++) {
    const i = path[k] as number
    const cert = certs[i] as X509Certificate
    const facts = certificateFacts(cert)
    const child = path[k - 1] as number
    if (facts.basicConstraints?.ca !== true) {
      return {
        ok: false,
        code: 'LEAF_AS_CA',
        reason: `certificate ${i + 1} (${uriSans(cert)[0] ?? displayName(cert)}) is a workload (leaf) certificate but is used to sign another certificate (certificate ${child + 1}); only CA certificates may sign, so this chain is forged`,
        certificate: ref(w, i),
      }
    }
    if (facts.keyUsage && !facts.keyUsage.usages.has('keyCertSign')) {
      return {
        ok: false,
        code: 'CA_CANNOT_SIGN',
        reason: `${describe(w, i)} is a CA but its key usage lacks keyCertSign, so it may not sign certificate ${child + 1}`,
        certificate: ref(w, i),
      }
    }
  }
  // pathLen counts the CA certificates below an issuer, the leaf excluded (RFC 5280 §4.2.1.9).
  const issuers: { cert: X509Certificate; label: string; ref: CertificateRef; cas: number }[] = path
    .slice(1)
    .map((i, k) => ({
      cert: certs[i] as X509Certificate,
      label: describe(w, i),
      ref: ref(w, i),
      cas: k,
    }))
  if (w.anchor !== undefined) {
    const root = w.roots[w.anchor] as X509Certificate
    issuers.push({
      cert: root,
      label: describeRoot(w, w.anchor),
      ref: rootRef(w, w.anchor),
      cas: path.length - 1,
    })
  }
  for (const issuer of issuers) {
    const pathLen = certificateFacts(issuer.cert).basicConstraints?.pathLen
    if (pathLen !== undefined && issuer.cas > pathLen) {
      const below = path[issuer.cas] as number
      return {
        ok: false,
        code: 'PATHLEN_EXCEEDED',
        reason: `path length exceeded: ${clusterLabel(issuer.cert, issuer.label)} has pathlen ${pathLen} and cannot sign another CA, yet ${describe(w, below)} is a CA it signed`,
        certificate: issuer.ref,
      }
    }
  }
  return undefined
}

function checkValidity(w: Walk, at: Date): Problem | undefined {
  const entries: { cert: X509Certificate; label: string; ref: CertificateRef }[] = w.path.map(
    (i) => ({
      cert: w.certs[i] as X509Certificate,
      label: describe(w, i),
      ref: ref(w, i),
    }),
  )
  if (w.anchor !== undefined) {
    entries.push({
      cert: w.roots[w.anchor] as X509Certificate,
      label: describeRoot(w, w.anchor),
      ref: rootRef(w, w.anchor),
    })
  }
  const t = at.getTime()
  for (const { cert, label, ref: r } of entries) {
    const from = cert.validFromDate
    const to = cert.validToDate
    if (t > to.getTime()) {
      return {
        ok: false,
        code: 'EXPIRED',
        reason: `${label} expired at ${iso(to)}, ${duration(t - to.getTime())} before the check (${iso(at)}); it must be reissued`,
        certificate: r,
      }
    }
    if (t < from.getTime()) {
      return {
        ok: false,
        code: 'NOT_YET_VALID',
        reason: `${label} is not yet valid: it starts at ${iso(from)}, ${duration(from.getTime() - t)} after the check (${iso(at)}); the issuer's clock is ahead of this one`,
        certificate: r,
      }
    }
  }
  return undefined
}

export type SvidCheck =
  | { readonly ok: true; readonly spiffeId: SpiffeId }
  | {
      readonly ok: false
      readonly code: 'BAD_SPIFFE_SAN' | 'LEAF_IS_CA' | 'SPIFFE_MISMATCH'
      readonly reason: string
    }

/**
 * The SPIFFE X509-SVID leaf rules (standards/X509-SVID.md §4.1, §5.2) plus Istio's canonical
 * path and, when given, the expected ids. Synchronous: for use after OpenSSL has verified the chain.
 */
export function checkSvidLeaf(
  leaf: X509Certificate,
  expectedSpiffeIds?: readonly string[],
): SvidCheck {
  const facts = certificateFacts(leaf)
  const uris = facts.subjectAltName?.uris ?? []
  const name = uris.length === 1 ? (uris[0] as string) : displayName(leaf)
  const bad = (reason: string): SvidCheck => ({ ok: false, code: 'BAD_SPIFFE_SAN', reason })
  if (uris.length === 0) {
    const dns = facts.subjectAltName?.dnsNames ?? []
    return bad(
      `the workload certificate (${name}) has no URI SAN${dns.length > 0 ? ` (only DNS:${dns.join(', DNS:')})` : ''}; an Istio workload certificate carries exactly one, spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`,
    )
  }
  if (uris.length > 1) {
    return bad(
      `the workload certificate has ${uris.length} URI SANs (${uris.join(', ')}); SPIFFE allows exactly one, so the identity is ambiguous`,
    )
  }
  if (!name.startsWith('spiffe://')) {
    return bad(
      `the workload certificate's URI SAN ${name} is not a SPIFFE id (its scheme must be spiffe://)`,
    )
  }
  const id = parseSpiffeId(name)
  if (!id) {
    return bad(
      `the workload certificate's URI SAN ${name} is not a canonical Istio SPIFFE id; expected spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>, lower case, no dot segments`,
    )
  }
  if (facts.basicConstraints?.ca === true) {
    return {
      ok: false,
      code: 'LEAF_IS_CA',
      reason: `the workload certificate (${name}) says CA:true; a SPIFFE leaf must not be a CA (OpenSSL accepts it, meshsim does not)`,
    }
  }
  const signing = ['keyCertSign', 'cRLSign'].filter((u) =>
    facts.keyUsage?.usages.has(u as 'keyCertSign'),
  )
  if (signing.length > 0) {
    return {
      ok: false,
      code: 'LEAF_IS_CA',
      reason: `the workload certificate (${name}) has key usage ${signing.join(' and ')}; a SPIFFE leaf must not be able to sign certificates (OpenSSL accepts it, meshsim does not)`,
    }
  }
  if (expectedSpiffeIds && expectedSpiffeIds.length > 0 && !expectedSpiffeIds.includes(name)) {
    return {
      ok: false,
      code: 'SPIFFE_MISMATCH',
      reason: `SPIFFE id ${name} is not the expected ${expectedSpiffeIds.join(' or ')}: the peer is a different workload (secure naming)`,
    }
  }
  return { ok: true, spiffeId: name as SpiffeId }
}

let pkijsEngine: pkijs.CryptoEngine | undefined

function engine(): pkijs.CryptoEngine {
  if (!pkijsEngine) {
    type WebCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto']
    pkijsEngine = new pkijs.CryptoEngine({
      name: 'node',
      crypto: webcrypto as unknown as WebCrypto,
    })
    pkijs.setEngine('node', pkijsEngine)
  }
  return pkijsEngine
}

/** pkijs' RFC 5280 verdict: undefined when the chain validates, else its message. */
async function pkijsVerdict(w: Walk, at: Date): Promise<string | undefined> {
  const crypto = engine()
  const asPkijs = (c: X509Certificate) => pkijs.Certificate.fromBER(c.raw)
  try {
    const validator = new pkijs.CertificateChainValidationEngine({
      trustedCerts: w.roots.map(asPkijs),
      // pkijs takes the last entry of certs as the end-entity certificate.
      certs: [...w.certs].reverse().map(asPkijs),
      checkDate: at,
    })
    const result = await validator.verify({}, crypto)
    return result.result
      ? undefined
      : result.resultMessage || 'rejected by RFC 5280 path validation'
  } catch (err) {
    return (err as Error).message || String(err)
  }
}

/** Validates a presented chain against trusted roots and explains the first problem found. */
export async function explainChain(input: ExplainInput): Promise<ChainVerdict> {
  let certs: X509Certificate[]
  let roots: X509Certificate[]
  try {
    certs = toCertificates(input.chain)
    roots = toCertificates(input.roots)
  } catch (err) {
    return {
      ok: false,
      code: 'MALFORMED',
      reason: `a certificate could not be parsed (${(err as Error).message}); present PEM or DER X.509 certificates`,
    }
  }
  if (certs.length === 0) {
    return {
      ok: false,
      code: 'EMPTY_CHAIN',
      reason: 'no certificate was presented; the peer must send its workload certificate',
    }
  }
  if (roots.length === 0) {
    return {
      ok: false,
      code: 'UNKNOWN_ROOT',
      reason: 'no trusted root was given (root-cert.pem is empty), so nothing can be trusted',
    }
  }
  const at = input.at ?? (input.now ?? (() => new Date()))()
  const w: Walk = { certs, roots, path: [0] }
  const problem = buildPath(w) ?? checkIssuers(w) ?? checkValidity(w, at)
  if (problem) return problem
  const rejected = await pkijsVerdict(w, at)
  if (rejected !== undefined) {
    return {
      ok: false,
      code: 'REJECTED',
      reason: `RFC 5280 path validation rejected the chain: ${rejected}`,
    }
  }
  const leaf = certs[0] as X509Certificate
  const svid = checkSvidLeaf(leaf, input.expectedSpiffeIds)
  if (!svid.ok) return { ...svid, certificate: ref(w, 0) }
  return {
    ok: true,
    spiffeId: svid.spiffeId,
    path: [
      svid.spiffeId,
      ...w.path.slice(1).map((i) => displayName(certs[i] as X509Certificate)),
      ...(w.anchor === undefined ? [] : [displayName(roots[w.anchor] as X509Certificate)]),
    ],
  }
}
