// Name tables: what a cluster's DNS answers (kube-dns's view of Services), and how a pod's
// resolver applies its search path to a short name.

import type { Namespace } from '../model/index.ts'

export interface NameTable {
  /** Lower-case FQDN without trailing dot -> IPv4 addresses. */
  readonly records: ReadonlyMap<string, readonly string[]>
}

export const emptyNameTable: NameTable = { records: new Map() }

/**
 * The resolv.conf search path Kubernetes gives a pod in `ns`, then the pod's `dnsConfig.searches`
 * (the `.global` install injects `global` and `<ns>.global`).
 */
export function searchPath(ns: Namespace, searches: readonly string[] = []): readonly string[] {
  return [`${ns}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local', ...searches]
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** Resolves a name as a pod's stub resolver would (ndots:5: short names try the search path first). */
export function resolveName(
  table: NameTable,
  name: string,
  search: readonly string[],
): { readonly fqdn: string; readonly addresses: readonly string[] } | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '')
  if (IPV4.test(lower)) return { fqdn: lower, addresses: [lower] }
  const absolute = name.endsWith('.')
  const dots = lower.split('.').length - 1
  const candidates = absolute
    ? [lower]
    : dots >= 5
      ? [lower, ...search.map((s) => `${lower}.${s}`)]
      : [...search.map((s) => `${lower}.${s}`), lower]
  for (const fqdn of candidates) {
    const addresses = table.records.get(fqdn)
    if (addresses && addresses.length > 0) return { fqdn, addresses }
  }
  return undefined
}
