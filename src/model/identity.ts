// SPIFFE workload identities as Istio mints them: spiffe://<trust-domain>/ns/<ns>/sa/<sa>
// (istio pkg/spiffe/spiffe.go). Building and parsing live together so they stay inverse.

import type { Namespace, ServiceAccount, SpiffeId, TrustDomain } from './ids.ts'

export interface WorkloadIdentity {
  readonly trustDomain: TrustDomain
  readonly namespace: Namespace
  readonly serviceAccount: ServiceAccount
}

const SPIFFE_RE = /^spiffe:\/\/([a-z0-9._-]+)\/ns\/([a-z0-9-]+)\/sa\/([a-z0-9.-]+)$/

/** The SPIFFE id Istio puts in a workload certificate's only URI SAN. */
export function spiffeId(id: WorkloadIdentity): SpiffeId {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}` as SpiffeId
}

/** Parses a canonical Istio SPIFFE id; anything else (other paths, upper case, dot segments) is undefined. */
export function parseSpiffeId(uri: string): WorkloadIdentity | undefined {
  const m = SPIFFE_RE.exec(uri)
  if (!m) return undefined
  const [, td, ns, sa] = m as unknown as [string, string, string, string]
  if (ns === '.' || ns === '..' || sa === '.' || sa === '..') return undefined
  return {
    trustDomain: td as TrustDomain,
    namespace: ns as Namespace,
    serviceAccount: sa as ServiceAccount,
  }
}
