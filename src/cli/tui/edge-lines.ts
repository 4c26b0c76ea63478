// The mesh map's traffic table as fixed-width lines: edges grouped by source workload and
// destination service, each version's share of the group as a bar and a percentage (the v1/v2
// split at a glance), then rps, error %, p50/p99, mTLS and whether a gateway is crossed. The
// columns follow the width: narrow drops latency and rates before the split, mTLS or gateway;
// wide adds request counts and response flags. Every meaning is in the text; colour only
// repeats it.

import { clip as cut } from './map-layout.ts'
import type { EdgeStats, WorkloadKey } from './traffic.ts'

export interface EdgeLine {
  readonly text: string
  readonly kind: 'header' | 'group' | 'edge'
  /** The edge had errors in the window (the view may colour it). */
  readonly errors: boolean
}

/** `app version @cluster`; a destination no workload answered for is `app (no answer)`. */
export function workloadLabel(w: WorkloadKey): string {
  const v = w.version ? ` ${w.version}` : ''
  return w.cluster ? `${w.app}${v} @${w.cluster}` : `${w.app}${v} (no answer)`
}

/** The label without the app its group line already names: `v1 @cluster1`. */
function shortLabel(w: WorkloadKey): string {
  const v = w.version ? `${w.version} ` : ''
  return w.cluster ? `${v}@${w.cluster}` : `${v}(no answer)`
}

const clip = (s: string, width: number): string => cut(s, width).padEnd(width)

const ms = (v: number): string => (v >= 100 ? `${Math.round(v)}ms` : `${v.toFixed(1)}ms`)

const pct = (rate: number): string => `${(rate * 100).toFixed(rate > 0 && rate < 0.1 ? 1 : 0)}%`

interface Column {
  readonly title: string
  readonly width: number
  readonly cell: (e: EdgeStats) => string
}

/** Right-aligned numeric columns, in the order they are given up as the width shrinks. */
const OPTIONAL: Record<'RPS' | 'ERR' | 'P99' | 'P50' | 'REQ', Column> = {
  RPS: { title: 'RPS', width: 7, cell: (e) => e.rps.toFixed(1) },
  ERR: { title: 'ERR', width: 6, cell: (e) => pct(e.errorRate) },
  P99: { title: 'P99', width: 7, cell: (e) => ms(e.p99Ms) },
  P50: { title: 'P50', width: 7, cell: (e) => ms(e.p50Ms) },
  REQ: { title: 'REQ', width: 7, cell: (e) => String(e.requests) },
}
const PRIORITY = ['RPS', 'ERR', 'P99', 'P50', 'REQ'] as const
const ORDER = ['RPS', 'ERR', 'P50', 'P99', 'REQ'] as const
/** `  mTLS gw`: never given up. */
const TLS_GW = 9
/** Room the FLAGS column needs to be worth drawing. */
const FLAGS = 12

const flagsText = (e: EdgeStats): string =>
  Object.entries(e.flags)
    .sort((a, b) => b[1] - a[1])
    .map(([f, n]) => `${f}×${n}`)
    .join(' ') || '-'

interface Plan {
  readonly label: (w: WorkloadKey) => string
  readonly dest: number
  readonly bar: number
  readonly columns: readonly Column[]
  /** Width of the trailing FLAGS column, 0 when not drawn. */
  readonly flags: number
}

function plan(edges: readonly EdgeStats[], width: number): Plan {
  const bar = width >= 40 ? 8 : 4
  const fixed = 2 + 1 + bar + 5 + TLS_GW
  const longest = (f: (w: WorkloadKey) => string) =>
    Math.max(2, ...edges.map((e) => f(e.destination).length))
  const full = Math.max(12, longest(workloadLabel))
  const four = ORDER.slice(0, 4).reduce((n, k) => n + OPTIONAL[k].width, 0)
  // Full labels while the four usual columns fit beside them; then the group names the app.
  const label = fixed + full + four <= width ? workloadLabel : shortLabel
  let dest = Math.min(label === workloadLabel ? full : longest(shortLabel), width - fixed)
  dest = Math.max(4, dest)
  let used = fixed + dest
  const chosen = new Set<string>()
  for (const k of PRIORITY) {
    if (used + OPTIONAL[k].width > width) break
    chosen.add(k)
    used += OPTIONAL[k].width
  }
  const allCore = ORDER.slice(0, 4).every((k) => chosen.has(k))
  const flags = allCore && width - used >= FLAGS ? width - used : 0
  return {
    label,
    dest,
    bar,
    columns: ORDER.filter((k) => chosen.has(k)).map((k) => OPTIONAL[k]),
    flags,
  }
}

/** Lines no wider than `width`; empty when there is no traffic. */
export function edgeLines(edges: readonly EdgeStats[], width: number): EdgeLine[] {
  if (edges.length === 0) return []
  const p = plan(edges, width)
  const line = (s: string) => cut(s, width).trimEnd()
  const groups = new Map<string, EdgeStats[]>()
  for (const e of edges) {
    const k = `${workloadLabel(e.source)} → ${e.destination.app}`
    groups.set(k, [...(groups.get(k) ?? []), e])
  }
  const header = `  ${clip('TO', p.dest)} ${'SPLIT'.padEnd(p.bar + 5)}${p.columns
    .map((c) => c.title.padStart(c.width))
    .join('')}  TLS GW${p.flags ? `  FLAGS` : ''}`
  const out: EdgeLine[] = [{ text: line(header), kind: 'header', errors: false }]
  for (const [label, group] of groups) {
    const total = group.reduce((n, e) => n + e.requests, 0)
    const rps = group.reduce((n, e) => n + e.rps, 0)
    out.push({
      text: line(`${label}  ${rps.toFixed(1)} rps`),
      kind: 'group',
      errors: group.some((e) => e.errorRate > 0),
    })
    const sorted = [...group].sort((a, b) =>
      workloadLabel(a.destination).localeCompare(workloadLabel(b.destination), undefined, {
        numeric: true,
      }),
    )
    for (const e of sorted) {
      const share = total === 0 ? 0 : e.requests / total
      const filled = Math.round(share * p.bar)
      const bar = `${'█'.repeat(filled)}${'░'.repeat(p.bar - filled)}`
      const cells = p.columns.map((c) => c.cell(e).padStart(c.width)).join('')
      const tls = e.mtls >= 1 ? 'mTLS' : e.mtls > 0 ? 'part' : 'none'
      const gw = e.viaGateway ? 'gw' : '- '
      const flags = p.flags ? `  ${cut(flagsText(e), p.flags - 2)}` : ''
      const text = `  ${clip(p.label(e.destination), p.dest)} ${bar} ${`${Math.round(share * 100)}%`.padStart(4)}${cells}  ${tls} ${gw}${flags}`
      out.push({ text: line(text), kind: 'edge', errors: e.errorRate > 0 })
    }
  }
  return out
}
