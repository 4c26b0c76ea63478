// The mesh map: one box per network holding its clusters (control plane and sync state,
// east-west gateway address, workloads by service and version), and below them the live edges
// between workloads. Sized to the columns and rows it is given, never more.

import { Box, Text } from 'ink'
import { createElement as h, type ReactElement } from 'react'
import { edgeLines } from './edge-lines.ts'
import type { ClusterView, MeshView } from './topology.ts'
import type { EdgeStats } from './traffic.ts'

export interface MapViewProps {
  readonly view: MeshView
  readonly edges: readonly EdgeStats[]
  readonly columns: number
  readonly rows: number
  readonly color: boolean
}

function syncLine(c: ClusterView): { text: string; ok: boolean } {
  const entries = Object.entries(c.proxies)
  const total = entries.reduce((n, [, k]) => n + k, 0)
  const synced = c.proxies.SYNCED ?? 0
  const ok = synced === total
  const state = ok
    ? 'synced'
    : `${entries
        .filter(([s]) => s !== 'SYNCED')
        .map(([s, k]) => `${k} ${s.toLowerCase()}`)
        .join(' ')} of ${total}`
  return { text: `istiod ${c.controlPlane} v${c.configVersion} ${ok ? '✓' : '!'} ${state}`, ok }
}

function clusterLines(c: ClusterView): number {
  return 2 + (c.gateway ? 1 : 0) + c.services.length
}

/** Lines the network boxes take: border, title, clusters (title, lines), border. */
export function mapHeight(view: MeshView): number {
  const tallest = Math.max(
    0,
    ...view.networks.map((n) => n.clusters.reduce((s, c) => s + clusterLines(c), 0)),
  )
  return tallest + 3
}

function cluster(c: ClusterView, width: number, color: boolean): ReactElement {
  const sync = syncLine(c)
  const line = (key: string, text: string, props: Record<string, unknown> = {}) =>
    h(Text, { key, wrap: 'truncate', ...props }, text)
  return h(
    Box,
    { key: c.name, flexDirection: 'column', width },
    line('name', c.name, { bold: true }),
    line('cp', ` ${sync.text}`, color ? { color: sync.ok ? 'green' : 'yellow' } : {}),
    c.gateway ? line('gw', ` gateway ${c.gateway}`, color ? { color: 'cyan' } : {}) : null,
    ...c.services.map((s) =>
      line(
        s.app,
        ` ${s.app} ${s.versions
          .map((v) => `${v.version}${v.pods > 1 ? `×${v.pods}` : ''}`)
          .join(' ')}`,
      ),
    ),
  )
}

export function MapView(props: MapViewProps): ReactElement {
  const { view, columns, rows, color } = props
  const n = Math.max(1, view.networks.length)
  const boxWidth = Math.max(24, Math.floor(columns / n))
  const boxes = h(
    Box,
    { flexDirection: 'row', flexWrap: 'wrap', width: columns },
    ...view.networks.map((net) =>
      h(
        Box,
        {
          key: net.name,
          flexDirection: 'column',
          borderStyle: 'round',
          width: boxWidth,
          paddingX: 1,
          ...(color ? { borderColor: 'blue' } : {}),
        },
        h(Text, { wrap: 'truncate', dimColor: color }, `network ${net.name}`),
        ...net.clusters.map((c) => cluster(c, boxWidth - 4, color)),
      ),
    ),
  )
  const room = Math.max(0, rows - mapHeight(view))
  const lines = edgeLines(props.edges, columns)
  const shown = lines.length > room ? lines.slice(0, Math.max(0, room - 1)) : lines
  const more = lines.length - shown.length
  return h(
    Box,
    { flexDirection: 'column', width: columns, height: rows, overflow: 'hidden' },
    boxes,
    lines.length === 0
      ? h(Text, { dimColor: color }, 'no traffic yet: press l to send load from a sleep pod')
      : null,
    ...shown.map((l, i) =>
      h(
        Text,
        {
          key: `edge-${i}`,
          wrap: 'truncate',
          bold: l.kind === 'group',
          ...(color && l.errors && l.kind === 'edge' ? { color: 'red' } : {}),
          ...(color && l.kind === 'header' ? { dimColor: true } : {}),
        },
        l.text,
      ),
    ),
    more > 0 ? h(Text, { key: 'more', dimColor: color }, `… ${more} more lines`) : null,
  )
}
