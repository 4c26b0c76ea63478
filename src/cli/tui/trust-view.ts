// The lines of the :trust screen: the root, each cluster's intermediate, then every workload
// certificate with its SPIFFE id, serial, not-after and time left in words (`expires in 23h`).

import { grid } from './grid.ts'
import type { Line } from './list-view.ts'
import type { Page } from './pods-view.ts'
import type { CertRow, TrustView } from './trust.ts'

/** `2026-12-05T18:47:35Z` → `2026-12-05 18:47` */
const minute = (iso: string) => iso.replace('T', ' ').slice(0, 16)

const style = (c: CertRow): Line['style'] => (c.expired ? 'warn' : undefined)

function lines(t: { header: string; lines: string[] }, certs: readonly CertRow[]): Line[] {
  return [
    { text: `  ${t.header}`, style: 'header' },
    ...t.lines.map((text, i) => {
      const s = certs[i] ? style(certs[i]) : undefined
      return { text: `  ${text}`, ...(s ? { style: s } : {}) }
    }),
  ]
}

export function trustScreen(view: TrustView, width: number): Page {
  const w = width - 2
  // Serials are cut first; a CA's not-after goes before its subject (its time left stays).
  const cas = [
    { header: 'SUBJECT', min: 40 },
    { header: 'SERIAL', min: 8, cut: 0 },
    { header: 'NOT AFTER', drop: 1 },
    { header: 'TIME LEFT' },
  ]
  const caRow = (c: CertRow) => [c.subject, c.serial, minute(c.notAfter), c.left]
  const roots = grid(cas, view.roots.map(caRow), w)
  const inter = grid(
    [{ header: 'CLUSTER', min: 8 }, ...cas],
    view.intermediates.map((c) => [c.cluster, ...caRow(c)]),
    w,
  )
  // SPIFFE ids are shown after their trust domain when they all share one.
  const domains = new Set(
    view.workloads.map((c) => /^spiffe:\/\/[^/]+\//.exec(c.spiffe ?? '')?.[0]),
  )
  const [domain] = domains.size === 1 ? [...domains] : []
  const leaves = grid(
    [
      { header: 'CLUSTER', min: 8 },
      { header: 'POD', min: 14, drop: 1 },
      { header: domain ? 'IDENTITY' : 'SPIFFE ID', min: 18 },
      { header: 'SERIAL', min: 8, cut: 0 },
      { header: 'NOT AFTER' },
      { header: 'TIME LEFT' },
    ],
    view.workloads.map((c) => [
      c.cluster,
      c.pod ?? '',
      domain ? (c.spiffe ?? '').slice(domain.length) : (c.spiffe ?? ''),
      c.serial,
      minute(c.notAfter),
      c.left,
    ]),
    w,
  )
  const rootTitle =
    view.roots.length === 1
      ? 'ROOT  every proxy trusts this one root'
      : `ROOTS  ${view.roots.length} different roots: clusters under different roots cannot talk mTLS`
  return {
    head: [{ text: 'trust  ↑↓ scroll   times in UTC', style: 'note' }],
    body: [
      { text: rootTitle, style: view.roots.length === 1 ? 'title' : 'warn' },
      ...lines(roots, view.roots),
      { text: 'INTERMEDIATES  one per cluster, signed by the root', style: 'title' },
      ...lines(inter, view.intermediates),
      {
        text: `WORKLOAD CERTIFICATES  signed by the intermediates${domain ? `; ids ${domain}…` : ''}`,
        style: 'title',
      },
      ...lines(leaves, view.workloads),
    ],
  }
}
