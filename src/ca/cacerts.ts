// Loads an Istio plug-in CA folder (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem)
// into a ClusterAuthority, refusing folders istiod would choke on, each with its own code.

import type { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { basename, join } from 'node:path'
import { subjectAttribute } from './asn1.ts'
import { createSigner } from './certificate.ts'
import { assertCa, assertValidAt, readText, sameCertificate } from './checks.ts'
import { type ClusterAuthority, clusterAuthority, type WorkloadDefaults } from './cluster-ca.ts'
import {
  CacertsChainMismatchError,
  CacertsKeyMismatchError,
  CacertsMissingFileError,
  CacertsRootMismatchError,
} from './errors.ts'
import { keysMatch, parsePrivateKey } from './keys.ts'
import { displayName, parseCertificate, parseCertificates, toPem } from './pem.ts'

export const CACERTS_FILES = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  rootCert: 'root-cert.pem',
  certChain: 'cert-chain.pem',
} as const

export interface CacertsOptions extends WorkloadDefaults {
  /** Default: the L= of ca-cert.pem's subject, else the folder's name. */
  readonly clusterName?: string
}

const signs = (issuer: X509Certificate, cert: X509Certificate): boolean =>
  cert.checkIssued(issuer) && cert.verify(issuer.publicKey)
const selfSigned = (cert: X509Certificate): boolean => signs(cert, cert)

export function loadCacerts(dir: string, opts: CacertsOptions = {}): ClusterAuthority {
  const path = {
    caCert: join(dir, CACERTS_FILES.caCert),
    caKey: join(dir, CACERTS_FILES.caKey),
    rootCert: join(dir, CACERTS_FILES.rootCert),
    certChain: join(dir, CACERTS_FILES.certChain),
  }
  const missing = Object.values(path).filter((p) => !existsSync(p))
  if (missing.length > 0) {
    throw new CacertsMissingFileError(
      existsSync(dir)
        ? `the cacerts folder ${dir} lacks ${missing.map((m) => basename(m)).join(', ')}; istiod needs all four of ca-cert.pem, ca-key.pem, root-cert.pem and cert-chain.pem (meshsim certs writes them)`
        : `the cacerts folder ${dir} does not exist; create it with meshsim certs --out <dir> --clusters <name>`,
      { files: missing },
    )
  }

  const caCert = parseCertificate(readText(path.caCert), path.caCert)
  const keyPem = readText(path.caKey)
  const caKey = parsePrivateKey(keyPem, path.caKey)
  const rootCertPem = readText(path.rootCert)
  const roots = parseCertificates(rootCertPem, path.rootCert)
  const chain = parseCertificates(readText(path.certChain), path.certChain)

  if (!keysMatch(caKey, caCert.publicKey)) {
    throw new CacertsKeyMismatchError(
      `${path.caKey} is not the private key of ${path.caCert} (${displayName(caCert)}); copy both files from the same generation`,
      { files: [path.caKey, path.caCert] },
    )
  }
  assertCa(caCert, path.caCert)
  assertValidAt(caCert, path.caCert, (opts.now ?? (() => new Date()))())

  const intermediates = chain.filter((c) => !selfSigned(c))
  let top = caCert
  for (let hops = 0; hops < intermediates.length; hops++) {
    const issuer = intermediates.find((c) => !sameCertificate(c, top) && signs(c, top))
    if (!issuer) break
    top = issuer
  }
  if (!roots.some((r) => signs(r, top))) {
    throw new CacertsRootMismatchError(
      `${path.caCert} (${displayName(caCert)}) does not chain up to ${path.rootCert} (${roots.map(displayName).join('; ')}): ${displayName(top)} was signed by another root; put the root that signed this intermediate in root-cert.pem, and use the same root for every cluster`,
      { files: [path.caCert, path.rootCert] },
    )
  }

  const chainProblem = ((): string | undefined => {
    if (!sameCertificate(chain[0] as X509Certificate, caCert)) {
      return `it must start with ca-cert.pem but starts with ${displayName(chain[0] as X509Certificate)}`
    }
    for (let i = 0; i + 1 < intermediates.length; i++) {
      const [cert, issuer] = [intermediates[i], intermediates[i + 1]] as [
        X509Certificate,
        X509Certificate,
      ]
      if (!signs(issuer, cert)) {
        return `certificate ${i + 2} (${displayName(issuer)}) did not sign certificate ${i + 1} (${displayName(cert)})`
      }
    }
    const foreign = chain.find((c) => selfSigned(c) && !roots.some((r) => sameCertificate(r, c)))
    if (foreign) return `it ends with the root ${displayName(foreign)}, which is not root-cert.pem`
    return undefined
  })()
  if (chainProblem) {
    throw new CacertsChainMismatchError(
      `${path.certChain} is not ca-cert.pem followed by its issuers up to root-cert.pem: ${chainProblem}; rebuild it as cat ca-cert.pem root-cert.pem > cert-chain.pem`,
      { files: [path.certChain, path.caCert, path.rootCert] },
    )
  }

  return clusterAuthority({
    clusterName: opts.clusterName ?? subjectAttribute(caCert, 'L') ?? basename(dir),
    certificate: caCert,
    signer: createSigner(caCert, caKey),
    keyPem,
    intermediatesPem: intermediates.map((c) => toPem(c.raw)).join(''),
    rootCertPem,
    defaults: opts,
  })
}
