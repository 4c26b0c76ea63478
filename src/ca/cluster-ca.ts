// A cluster's intermediate CA (the contents of Istio's `cacerts` secret) and the workload
// certificates it issues.

import type { X509Certificate } from 'node:crypto'
import type { KeyAlgorithm } from '../model/index.ts'
import type { NameSpec } from './asn1.ts'
import { certificateFacts } from './asn1.ts'
import { createSigner, type Signer, signCertificate } from './certificate.ts'
import { BadNameError, ExpiredSignerError, PathLenError, RootKeyMissingError } from './errors.ts'
import { createWorkloadIssuer, type WorkloadRequest, type WorkloadSecret } from './issue.ts'
import { generateKeyPair, type KeyOptions, privateKeyPem } from './keys.ts'
import { displayName, toPem } from './pem.ts'
import { CA_KEY_USAGE, ROOT_TTL_MS, type RootAuthority } from './root.ts'

/** The Makefile's INTERMEDIATE_SAN_DNS. */
export const INTERMEDIATE_SAN_DNS = 'istiod.istio-system.svc'

export function intermediateSubject(clusterName: string): NameSpec {
  return [
    ['O', 'Istio'],
    ['CN', 'Intermediate CA'],
    ['L', clusterName],
  ]
}

export interface ClusterAuthority {
  readonly clusterName: string
  /** ca-cert.pem's certificate. */
  readonly certificate: X509Certificate
  /** ca-cert.pem */
  readonly certPem: string
  /** ca-key.pem */
  readonly keyPem: string
  /** cert-chain.pem: ca-cert.pem, any further intermediates, then root-cert.pem. */
  readonly certChainPem: string
  /** root-cert.pem */
  readonly rootCertPem: string
  /** e.g. `O=Istio, CN=Intermediate CA, L=cluster1` */
  readonly subject: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly signer: Signer
  /** Mints a key pair and a workload certificate, as istiod answers an agent's CSR. */
  issueWorkload(request: WorkloadRequest): WorkloadSecret
  /** The same CA issuing with another clock, TTL or key type (e.g. a cluster whose clock is skewed). */
  withDefaults(defaults: WorkloadDefaults): ClusterAuthority
}

export interface WorkloadDefaults {
  readonly now?: () => Date
  /** Default lifetime of workload certificates (24 h). */
  readonly workloadTtlMs?: number
  /** Default key type of workload certificates (ECDSA). */
  readonly workloadKeyAlgorithm?: KeyAlgorithm
}

export interface ClusterCaOptions extends KeyOptions, WorkloadDefaults {
  /** Intermediate lifetime (3650 days, clamped to the root's NotAfter). */
  readonly ttlMs?: number
}

/** Wires an intermediate and its key into a ClusterAuthority. */
export function clusterAuthority(parts: {
  readonly clusterName: string
  readonly certificate: X509Certificate
  readonly signer: Signer
  readonly keyPem: string
  /** The intermediates from ca-cert.pem up, root excluded. */
  readonly intermediatesPem: string
  readonly rootCertPem: string
  readonly defaults: WorkloadDefaults
}): ClusterAuthority {
  const { certificate, defaults } = parts
  const issue = createWorkloadIssuer({
    signer: parts.signer,
    intermediatesPem: parts.intermediatesPem,
    rootCertPem: parts.rootCertPem,
    signerNotAfter: certificate.validToDate,
    ...(defaults.now ? { now: defaults.now } : {}),
    ...(defaults.workloadTtlMs === undefined ? {} : { ttlMs: defaults.workloadTtlMs }),
    ...(defaults.workloadKeyAlgorithm ? { keyAlgorithm: defaults.workloadKeyAlgorithm } : {}),
  })
  return {
    clusterName: parts.clusterName,
    certificate,
    certPem: toPem(certificate.raw),
    keyPem: parts.keyPem,
    certChainPem: parts.intermediatesPem + parts.rootCertPem,
    rootCertPem: parts.rootCertPem,
    subject: displayName(certificate),
    notBefore: certificate.validFromDate,
    notAfter: certificate.validToDate,
    signer: parts.signer,
    issueWorkload: issue,
    withDefaults: (more) => clusterAuthority({ ...parts, defaults: { ...defaults, ...more } }),
  }
}

/** A new intermediate for `clusterName`, signed by `root` (which must hold its key and be unexpired). */
export function createClusterCa(
  root: RootAuthority,
  clusterName: string,
  opts: ClusterCaOptions = {},
): ClusterAuthority {
  if (clusterName === '' || /[\n\r,=+]/.test(clusterName)) {
    throw new BadNameError(
      `cluster name ${JSON.stringify(clusterName)} cannot go into a certificate's L= field; use a DNS label such as cluster1`,
    )
  }
  if (!root.signer) {
    throw new RootKeyMissingError(
      `the root ${root.subject} was loaded without its private key, so it cannot sign the intermediate of ${clusterName}; pass root-key.pem too`,
    )
  }
  if (certificateFacts(root.certificate).basicConstraints?.pathLen === 0) {
    throw new PathLenError(
      `${root.subject} has pathlen 0, so it may sign workload certificates but not the intermediate of ${clusterName}; use the mesh root (root-cert.pem), not a cluster's ca-cert.pem`,
    )
  }
  const now = (opts.now ?? (() => new Date()))()
  if (now.getTime() >= root.notAfter.getTime()) {
    throw new ExpiredSignerError(
      `cannot sign the intermediate of ${clusterName}: the root ${root.subject} expired at ${root.notAfter.toISOString()}; make a new root`,
    )
  }
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000)
  const notAfter = new Date(
    Math.min(notBefore.getTime() + (opts.ttlMs ?? ROOT_TTL_MS), root.notAfter.getTime()),
  )
  const keys = generateKeyPair(opts.keyAlgorithm ?? 'ECDSA', opts.rsaKeySize ?? 4096)
  const certificate = signCertificate(
    {
      subject: intermediateSubject(clusterName),
      publicKey: keys.publicKey,
      notBefore,
      notAfter,
      basicConstraints: { ca: true, pathLen: 0 },
      keyUsage: CA_KEY_USAGE,
      subjectAltName: { dnsNames: [INTERMEDIATE_SAN_DNS] },
    },
    root.signer,
  )
  return clusterAuthority({
    clusterName,
    certificate,
    signer: createSigner(certificate, keys.privateKey),
    keyPem: privateKeyPem(keys.privateKey),
    intermediatesPem: toPem(certificate.raw),
    rootCertPem: root.certPem,
    defaults: opts,
  })
}
