// Mesh PKI, as Istio's plug-in CA: a root, one intermediate per cluster (cacerts), workload SVIDs
// in SDS shape, the Makefile's folder layout, and chain validation that explains refusals.
// Leaves to others: serving certificates over SDS, rotation schedules, and TLS itself (node:tls).

export type { ExtKeyUsageName, KeyUsageName, NameAttribute, NameSpec } from './asn1.ts'
export { CACERTS_FILES, type CacertsOptions, loadCacerts } from './cacerts.ts'
export {
  type CertificateTemplate,
  createSigner,
  type Signer,
  selfSignCertificate,
  signCertificate,
} from './certificate.ts'
export {
  type ClusterAuthority,
  type ClusterCaOptions,
  createClusterCa,
  INTERMEDIATE_SAN_DNS,
  intermediateSubject,
  type WorkloadDefaults,
} from './cluster-ca.ts'
export * from './errors.ts'
export {
  type CertificateInput,
  type CertificateRef,
  type ChainProblemCode,
  type ChainVerdict,
  checkSvidLeaf,
  type ExplainInput,
  explainChain,
  type SvidCheck,
} from './explain.ts'
export {
  CLOCK_SKEW_GRACE_MS,
  DEFAULT_WORKLOAD_TTL_MS,
  MAX_WORKLOAD_TTL_MS,
  type WorkloadRequest,
  type WorkloadSecret,
} from './issue.ts'
export { generateKeyPair, type KeyOptions, type KeyPair, privateKeyPem } from './keys.ts'
export { certsLayout, type LayoutFile, writeLayout } from './layout.ts'
export { createMeshPki, type MeshPki } from './mesh-pki.ts'
export { parseCertificates, toPem } from './pem.ts'
export {
  CA_KEY_USAGE,
  createRootCa,
  loadRootCa,
  ROOT_SUBJECT,
  ROOT_TTL_MS,
  type RootAuthority,
  type RootOptions,
} from './root.ts'
