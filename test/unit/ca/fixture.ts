// A two-cluster mesh PKI plus a foreign one, and minting helpers for deliberately bad certificates.

import { createPrivateKey, type X509Certificate } from 'node:crypto'
import {
  type CertificateTemplate,
  type ClusterAuthority,
  createClusterCa,
  createRootCa,
  createSigner,
  generateKeyPair,
  parseCertificates,
  type RootAuthority,
  type Signer,
  signCertificate,
  toPem,
  type WorkloadSecret,
} from '../../../src/ca/index.ts'
import type { SpiffeId } from '../../../src/model/index.ts'

export const SLEEP = 'spiffe://cluster.local/ns/sample/sa/sleep' as SpiffeId
export const HTTPBIN = 'spiffe://cluster.local/ns/sample/sa/httpbin' as SpiffeId
export const HELLOWORLD = 'spiffe://cluster.local/ns/sample/sa/helloworld' as SpiffeId

export interface MeshPki {
  readonly root: RootAuthority
  readonly cluster1: ClusterAuthority
  readonly cluster2: ClusterAuthority
  /** Another root with the same subject, and a cluster2 intermediate under it. */
  readonly foreignRoot: RootAuthority
  readonly foreignCluster2: ClusterAuthority
}

/** Builds the PKI with every CA created at `start`. */
export function buildMeshPki(start: Date): MeshPki {
  const now = () => start
  const root = createRootCa({ now })
  const foreignRoot = createRootCa({ now })
  return {
    root,
    cluster1: createClusterCa(root, 'cluster1', { now }),
    cluster2: createClusterCa(root, 'cluster2', { now }),
    foreignRoot,
    foreignCluster2: createClusterCa(foreignRoot, 'cluster2', { now }),
  }
}

/** Issues as if the CA's clock read `at`. */
export function issueAt(
  ca: ClusterAuthority,
  at: Date,
  id: SpiffeId,
  ttlMs?: number,
): WorkloadSecret {
  return ca
    .withDefaults({ now: () => at })
    .issueWorkload({ identity: id, ...(ttlMs === undefined ? {} : { ttlMs }) })
}

export const leafOf = (secret: WorkloadSecret): X509Certificate =>
  parseCertificates(secret.certChainPem, 'certChainPem')[0] as X509Certificate

/** A Signer made from a workload's own certificate and key (which must never sign). */
export function signerFromWorkload(secret: WorkloadSecret): Signer {
  return createSigner(leafOf(secret), createPrivateKey(secret.privateKeyPem))
}

export interface Minted {
  readonly cert: X509Certificate
  readonly keyPem: string
  /** The minted certificate followed by `chainPem`. */
  readonly chainPem: string
}

/** Signs a workload-shaped template (overridable) with `signer`; `chainPem` follows the new cert. */
export function mint(
  signer: Signer,
  chainPem: string,
  template: Partial<CertificateTemplate> & { readonly notBefore: Date; readonly notAfter: Date },
): Minted {
  const keys = generateKeyPair('ECDSA')
  const cert = signCertificate(
    {
      subject: [],
      publicKey: keys.publicKey,
      basicConstraints: { ca: false },
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extKeyUsage: ['serverAuth', 'clientAuth'],
      subjectAltName: { uris: [SLEEP] },
      ...template,
    },
    signer,
  )
  return {
    cert,
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    chainPem: toPem(cert.raw) + chainPem,
  }
}

/** A CA (CA:true, no pathlen) signed by `signer`: what an intermediate with pathlen 0 must not sign. */
export function mintSubCa(
  signer: Signer,
  chainPem: string,
  window: { readonly notBefore: Date; readonly notAfter: Date },
): Minted & { readonly signer: Signer } {
  const keys = generateKeyPair('ECDSA')
  const cert = signCertificate(
    {
      subject: [
        ['O', 'Istio'],
        ['CN', 'Sub CA'],
      ],
      publicKey: keys.publicKey,
      basicConstraints: { ca: true },
      keyUsage: ['keyCertSign', 'cRLSign', 'digitalSignature'],
      ...window,
    },
    signer,
  )
  return {
    cert,
    keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    chainPem: toPem(cert.raw) + chainPem,
    signer: createSigner(cert, keys.privateKey),
  }
}
