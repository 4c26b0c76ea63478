// What the :trust view shows, read from the proxies' SDS secrets (what `pc secret` lists): the
// root every proxy trusts, each cluster's intermediate (the second certificate of its workloads'
// chains), and every workload certificate with its SPIFFE id and the time it has left, in words.

import type { CertificateSummary, ProxyDump } from '../../runtime/index.ts'

export interface CertRow {
  readonly subject: string
  readonly serial: string
  readonly notAfter: string
  /** `expires in 23h`, `expired 5m ago`. */
  readonly left: string
  readonly expired: boolean
  /** The cluster of the proxies that hold it. */
  readonly cluster: string
  /** Workload certificates: the proxy (`pod.namespace`) and its SPIFFE id. */
  readonly pod?: string
  readonly spiffe?: string
}

export interface TrustView {
  /** More than one root means clusters that cannot talk mTLS to each other. */
  readonly roots: readonly CertRow[]
  readonly intermediates: readonly CertRow[]
  readonly workloads: readonly CertRow[]
}

const UNITS: readonly [string, number][] = [
  ['y', 365 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
]

/** The largest whole unit of a duration: 23h, 9y, 40s. */
function span(ms: number): string {
  const [unit, size] = UNITS.find(([, size]) => ms >= size) ?? ['s', 1000]
  return `${Math.floor(ms / size)}${unit}`
}

export function timeLeft(notAfter: string, now: Date): { left: string; expired: boolean } {
  const ms = new Date(notAfter).getTime() - now.getTime()
  return ms > 0
    ? { left: `expires in ${span(ms)}`, expired: false }
    : { left: `expired ${span(-ms)} ago`, expired: true }
}

export function trustView(dumps: readonly ProxyDump[], now: Date): TrustView {
  const roots = new Map<string, CertRow>()
  const intermediates = new Map<string, CertRow>()
  const workloads: CertRow[] = []
  const row = (c: CertificateSummary, cluster: string): CertRow => ({
    subject: c.subject,
    serial: c.serialNumber,
    notAfter: c.notAfter,
    ...timeLeft(c.notAfter, now),
    cluster,
  })
  for (const d of dumps) {
    const { cluster, pod, namespace } = d.node
    for (const s of d.secrets) {
      const [leaf, ...chain] = s.certificates
      if (s.type === 'CA') {
        for (const c of s.certificates)
          if (!roots.has(c.serialNumber)) roots.set(c.serialNumber, row(c, cluster))
        continue
      }
      for (const c of chain) {
        if (!intermediates.has(c.serialNumber)) intermediates.set(c.serialNumber, row(c, cluster))
      }
      if (leaf) {
        const spiffe = leaf.uris[0] ?? leaf.subject
        workloads.push({ ...row(leaf, cluster), pod: `${pod}.${namespace}`, spiffe })
      }
    }
  }
  const byCluster = (a: CertRow, b: CertRow) =>
    a.cluster.localeCompare(b.cluster) || (a.pod ?? '').localeCompare(b.pod ?? '')
  return {
    roots: [...roots.values()],
    intermediates: [...intermediates.values()].sort(byCluster),
    workloads: workloads.sort(byCluster),
  }
}
