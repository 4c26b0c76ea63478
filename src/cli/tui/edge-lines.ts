// The mesh map's traffic table as fixed-width lines: edges grouped by source workload and
// destination service, each version's share of the group as a bar and a percentage (the v1/v2
// split at a glance), then rps, error %, p50/p99, mTLS and whether a gateway is crossed. Every
// meaning is in the text; colour only repeats it.

import type { EdgeStats, WorkloadKey } from './traffic.ts'

export interface EdgeLine {
  readonly text: string
  readonly kind: 'header' | 'group' | 'edge'
  /** The edge had errors in the window (the view may colour it). */
  readonly errors: boolean
}

const BAR = 8
/** Width of everything right of the destination column. */
const FIXED = 1 + BAR + 5 + 7 + 6 + 7 + 7 + 6 + 4

/** `app version @cluster`; a destination no workload answered for is `app (no answer)`. */
export function workloadLabel(w: WorkloadKey): string {
  const v = w.version ? ` ${w.version}` : ''
  return w.cluster ? `${w.app}${v} @${w.cluster}` : `${w.app}${v} (no answer)`
}

const clip = (s: string, width: number): string =>
  s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s.padEnd(width)

const ms = (v: number): string => (v >= 100 ? `${Math.round(v)}ms` : `${v.toFixed(1)}ms`)

/** Lines no wider than `width` (at least 60); empty when there is no traffic. */
export function edgeLines(edges: readonly EdgeStats[], width: number): EdgeLine[] {
  if (edges.length === 0) return []
  const dest = Math.max(12, width - FIXED - 2)
  const groups = new Map<string, EdgeStats[]>()
  for (const e of edges) {
    const k = `${workloadLabel(e.source)} → ${e.destination.app}`
    groups.set(k, [...(groups.get(k) ?? []), e])
  }
  const out: EdgeLine[] = [
    {
      text: `  ${clip('TO', dest)} ${'SPLIT'.padEnd(BAR + 5)}${'RPS'.padStart(7)}${'ERR'.padStart(6)}${'P50'.padStart(7)}${'P99'.padStart(7)}  TLS GW`,
      kind: 'header',
      errors: false,
    },
  ]
  for (const [label, group] of groups) {
    const total = group.reduce((n, e) => n + e.requests, 0)
    const rps = group.reduce((n, e) => n + e.rps, 0)
    out.push({
      text: clip(`${label}  ${rps.toFixed(1)} rps`, width).trimEnd(),
      kind: 'group',
      errors: group.some((e) => e.errorRate > 0),
    })
    const sorted = [...group].sort((a, b) =>
      workloadLabel(a.destination).localeCompare(workloadLabel(b.destination)),
    )
    for (const e of sorted) {
      const share = total === 0 ? 0 : e.requests / total
      const filled = Math.round(share * BAR)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`
      const pct = `${Math.round(share * 100)}%`.padStart(4)
      const err = `${(e.errorRate * 100).toFixed(e.errorRate > 0 && e.errorRate < 0.1 ? 1 : 0)}%`
      const tls = e.mtls >= 1 ? 'mTLS' : e.mtls > 0 ? 'part' : 'none'
      const text = `  ${clip(workloadLabel(e.destination), dest)} ${bar} ${pct}${e.rps.toFixed(1).padStart(7)}${err.padStart(6)}${ms(e.p50Ms).padStart(7)}${ms(e.p99Ms).padStart(7)}  ${tls} ${e.viaGateway ? 'gw' : '-'}`
      out.push({ text: clip(text, width).trimEnd(), kind: 'edge', errors: e.errorRate > 0 })
    }
  }
  return out
}
