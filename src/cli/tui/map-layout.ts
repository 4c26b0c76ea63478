// The mesh map laid out for a given width and height, as plain lines of toned segments: the
// network boxes in the most detailed form that fits (side by side when there is room, down to
// one line per network), then as many traffic lines as are left. Nothing is dropped without a
// "+N more"; no line is wider than the width. Pure, so its limits are tested without a terminal.

import type { EdgeLine } from './edge-lines.ts'
import type { ClusterView, MeshView, NetworkView } from './topology.ts'

/** What a segment means; the view may colour it, the text already says it. */
export type Tone = 'plain' | 'name' | 'ok' | 'warn' | 'gw' | 'border' | 'dim'

export interface Segment {
  readonly text: string
  readonly tone: Tone
}

export type MapLine = readonly Segment[]

/** From most to least detailed: `full` and `compact` boxes, `line` boxes, then no boxes. */
export type Detail = 'full' | 'compact' | 'line' | 'table' | 'summary'

export interface MapLayout {
  readonly detail: Detail
  /** Network boxes side by side (1 for the unboxed details). */
  readonly perRow: number
  readonly networks: readonly MapLine[]
  readonly edges: readonly EdgeLine[]
  /** `… +N more edges` when traffic lines did not all fit. */
  readonly more?: string
}

/** Width in terminal cells: every character the map draws is one cell wide. */
export const width = (s: string): number => [...s].length

export function clip(s: string, w: number): string {
  if (w <= 0) return ''
  const chars = [...s]
  return chars.length > w ? `${chars.slice(0, w - 1).join('')}…` : s
}

const seg = (text: string, tone: Tone = 'plain'): Segment => ({ text, tone })

/** Cuts a line of segments to `w` cells, the cut segment ending in '…'. */
export function clipLine(line: MapLine, w: number): MapLine {
  const out: Segment[] = []
  let left = w
  for (const s of line) {
    if (left <= 0) break
    const n = width(s.text)
    out.push(n <= left ? s : seg(clip(s.text, left), s.tone))
    left -= Math.min(n, left)
  }
  return out
}

const padLine = (line: MapLine, w: number): MapLine => {
  const cut = clipLine(line, w)
  const n = cut.reduce((k, s) => k + width(s.text), 0)
  return n < w ? [...cut, seg(' '.repeat(w - n))] : cut
}

/**
 * As many `tokens` as fit in `w` cells after `lead`, joined by `sep`; the rest counted as
 * `+N`. The lead is kept (clipped if it alone is too wide).
 */
export function fitTokens(
  lead: MapLine,
  tokens: readonly Segment[],
  w: number,
  sep = ' · ',
): MapLine {
  const out: Segment[] = [...lead]
  let used = lead.reduce((k, s) => k + width(s.text), 0)
  if (used >= w) return clipLine(lead, w)
  const visibleLead = lead.some((s) => s.text.trim() !== '')
  for (const [i, t] of tokens.entries()) {
    const rest = tokens.length - i - 1
    const joint = i > 0 || visibleLead ? sep : ''
    const tail = rest > 0 ? width(`${sep}+${rest}`) : 0
    if (used + width(joint) + width(t.text) + tail <= w) {
      if (joint) out.push(seg(joint, 'dim'))
      out.push(t)
      used += width(joint) + width(t.text)
      continue
    }
    const more = `${joint}+${tokens.length - i}`
    if (used + width(more) <= w) out.push(seg(more, 'dim'))
    else return clipLine([...out, seg(more, 'dim')], w)
    break
  }
  return out
}

interface Sync {
  readonly ok: boolean
  /** `istiod primary v2 ✓ synced`, `istiod primary v2 ! 1 stale of 3`. */
  readonly text: string
  /** `✓ synced`, `! 1 stale of 3`. */
  readonly state: string
  /** `✓`, or `!N` with N the proxies not synced. */
  readonly mark: string
}

function sync(c: ClusterView): Sync {
  const entries = Object.entries(c.proxies)
  const total = entries.reduce((n, [, k]) => n + k, 0)
  const synced = c.proxies.SYNCED ?? 0
  const ok = synced === total
  const state = ok
    ? '✓ synced'
    : `! ${entries
        .filter(([s]) => s !== 'SYNCED')
        .map(([s, k]) => `${k} ${s.toLowerCase()}`)
        .join(' ')} of ${total}`
  return {
    ok,
    text: `istiod ${c.controlPlane} v${c.configVersion} ${state}`,
    state,
    mark: ok ? '✓' : `!${total - synced}`,
  }
}

/** `helloworld v1 v2×2`; pods without a version label count as `×N` after the app. */
const service = (s: ClusterView['services'][number]): string =>
  [s.app, ...s.versions.map((v) => `${v.version}${v.pods > 1 ? `×${v.pods}` : ''}`)]
    .filter((x) => x !== '')
    .join(' ')

/** `cluster1 ✓ gw remote`: the name, its sync mark, and what it has. */
function clusterHead(c: ClusterView): Segment[] {
  const s = sync(c)
  return [
    seg(c.name, 'name'),
    seg(` ${s.mark}`, s.ok ? 'ok' : 'warn'),
    ...(c.gateway ? [seg(' gw', 'gw')] : []),
    ...(c.controlPlane.startsWith('remote') ? [seg(' remote', 'dim')] : []),
  ]
}

/** A cluster's lines inside a box `w` cells wide. */
function clusterLines(c: ClusterView, detail: Detail, w: number): MapLine[] {
  const s = sync(c)
  const services = c.services.map((x) => seg(service(x)))
  if (detail === 'full') {
    return [
      [seg(c.name, 'name')],
      [seg(` ${s.text}`, s.ok ? 'ok' : 'warn')],
      ...(c.gateway ? [[seg(` gateway ${c.gateway}`, 'gw')]] : []),
      ...services.map((x) => [seg(` ${x.text}`)]),
    ].map((l) => clipLine(l, w))
  }
  if (detail === 'compact') {
    return [
      clipLine(
        [
          seg(c.name, 'name'),
          seg(` ${s.state}`, s.ok ? 'ok' : 'warn'),
          ...(c.gateway ? [seg(' · gw', 'gw')] : []),
          seg(` · ${c.controlPlane} v${c.configVersion}`, 'dim'),
        ],
        w,
      ),
      fitTokens([seg(' ')], services, w),
    ]
  }
  return [fitTokens(clusterHead(c), services, w)]
}

/** Whether a cluster stays readable in a box of inner width `w`: what each detail must not cut. */
function readable(c: ClusterView, detail: Detail, w: number): boolean {
  const s = sync(c)
  if (detail === 'full') {
    // The istiod line may lose its tail, not its ✓/! mark: leading space, mark, then '…'.
    const mark = s.text.length - s.state.length + 3
    return [c.name, ` gateway ${c.gateway ?? ''}`, ...c.services.map((x) => ` ${service(x)}`)]
      .concat(' '.repeat(mark))
      .every((t) => width(t) <= w)
  }
  if (detail === 'compact') return width(`${c.name} ${s.state}`) <= w
  const head = clusterHead(c).reduce((n, x) => n + width(x.text), 0)
  return head + (c.services.length > 0 ? width(` · +${c.services.length}`) : 0) <= w
}

const BOXED: readonly Detail[] = ['full', 'compact', 'line']

function box(net: NetworkView, detail: Detail, w: number, height: number): MapLine[] {
  const inner = w - 4
  const title = clip(`network ${net.name}`, Math.max(1, w - 6))
  const body = net.clusters.flatMap((c) => clusterLines(c, detail, inner))
  const rows = Array.from({ length: height - 2 }, (_, i) => [
    seg('│ ', 'border'),
    ...padLine(body[i] ?? [], inner),
    seg(' │', 'border'),
  ])
  return [
    [
      seg('╭─ ', 'border'),
      seg(title, 'name'),
      seg(` ${'─'.repeat(Math.max(0, w - 5 - width(title)))}╮`, 'border'),
    ],
    ...rows,
    [seg(`╰${'─'.repeat(w - 2)}╯`, 'border')],
  ]
}

const boxHeight = (net: NetworkView, detail: Detail): number =>
  2 + net.clusters.reduce((n, c) => n + clusterLines(c, detail, 1000).length, 0)

/** Boxes `perRow` to a row, each row as tall as its tallest box; undefined if too narrow. */
function boxed(
  view: MeshView,
  detail: Detail,
  perRow: number,
  columns: number,
): MapLine[] | undefined {
  const w = Math.floor(columns / perRow)
  const fits = (n: NetworkView) => n.clusters.every((c) => readable(c, detail, w - 4))
  if (w < 12 || !view.networks.every(fits)) return undefined
  const out: MapLine[] = []
  for (let i = 0; i < view.networks.length; i += perRow) {
    const row = view.networks.slice(i, i + perRow)
    const height = Math.max(...row.map((n) => boxHeight(n, detail)))
    const drawn = row.map((n) => box(n, detail, w, height))
    for (let r = 0; r < height; r++) out.push(drawn.flatMap((b) => b[r] ?? []))
  }
  return out
}

/** One line per cluster, the network named on its first: `network1  cluster1 ✓ gw …`. */
function table(view: MeshView, columns: number): MapLine[] {
  const nw = Math.min(12, Math.max(0, ...view.networks.map((n) => width(n.name))))
  return view.networks.flatMap((net) =>
    net.clusters.map((c, i) =>
      fitTokens(
        [seg((i === 0 ? clip(net.name, nw) : '').padEnd(nw + 1), 'dim'), ...clusterHead(c)],
        c.services.map((x) => seg(service(x))),
        columns,
      ),
    ),
  )
}

/** One line per network, its clusters and their sync marks; `+N more networks` past `rows`. */
function summary(view: MeshView, columns: number, rows: number): MapLine[] {
  const nets = view.networks
  const shown = nets.length > rows ? nets.slice(0, Math.max(0, rows - 1)) : nets
  const out: MapLine[] = shown.map((net) =>
    fitTokens(
      [seg(`${net.name}:`, 'dim')],
      net.clusters.flatMap((c) => {
        const s = sync(c)
        return [seg(`${c.name} ${s.mark}`, s.ok ? 'ok' : 'warn')]
      }),
      columns,
      ' ',
    ),
  )
  const hidden = nets.slice(shown.length)
  if (hidden.length > 0 && rows > 0) {
    const clusters = hidden.reduce((n, x) => n + x.clusters.length, 0)
    out.push([seg(clip(`+${hidden.length} more networks (${clusters} clusters)`, columns), 'dim')])
  }
  return out
}

/** The network part: the most detailed form no taller than `rows`. */
export function layoutNetworks(
  view: MeshView,
  columns: number,
  rows: number,
): { detail: Detail; perRow: number; lines: MapLine[] } {
  const n = view.networks.length
  for (const detail of BOXED) {
    let best: { perRow: number; lines: MapLine[] } | undefined
    for (let perRow = n; perRow >= 1; perRow--) {
      const lines = boxed(view, detail, perRow, columns)
      if (lines && lines.length <= rows && (!best || lines.length < best.lines.length)) {
        best = { perRow, lines }
      }
    }
    if (best) return { detail, ...best }
  }
  const t = table(view, columns)
  if (t.length <= rows) return { detail: 'table', perRow: 1, lines: t }
  return { detail: 'summary', perRow: 1, lines: summary(view, columns, rows) }
}

/**
 * The whole map in `columns` × `rows`: the traffic table is promised a third of the rows (at
 * least 4, or all it needs if less), the networks take the most detailed form that fits in
 * the rest, and the traffic lines fill what the networks left.
 */
export function layoutMap(
  view: MeshView,
  edges: readonly EdgeLine[],
  columns: number,
  rows: number,
): MapLayout {
  const need = Math.max(1, edges.length)
  const promised = Math.min(need, Math.max(4, Math.floor(rows / 3)))
  const nets = layoutNetworks(view, columns, Math.max(Math.min(rows, 1), rows - promised))
  const room = Math.max(0, rows - nets.lines.length)
  const base = { detail: nets.detail, perRow: nets.perRow, networks: nets.lines }
  if (edges.length <= room) return { ...base, edges }
  const shown = edges.slice(0, Math.max(0, room - 1))
  const hidden = edges.slice(shown.length)
  const n = hidden.filter((l) => l.kind === 'edge').length
  const more = n > 0 ? `… +${n} more edges` : `… +${hidden.length} more lines`
  return room > 0 ? { ...base, edges: shown, more: clip(more, columns) } : { ...base, edges: [] }
}
