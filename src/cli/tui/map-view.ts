// The mesh map: one box per network holding its clusters (control plane and sync state,
// east-west gateway address, workloads by service and version), and below them the live edges
// between workloads. map-layout.ts decides what fits in the columns and rows it is given; this
// only draws it, colouring what the text already says when colour is on.

import { Box, Text } from 'ink'
import { createElement as h, type ReactElement } from 'react'
import { edgeLines } from './edge-lines.ts'
import { layoutMap, type Tone } from './map-layout.ts'
import type { MeshView } from './topology.ts'
import type { EdgeStats } from './traffic.ts'

export interface MapViewProps {
  readonly view: MeshView
  readonly edges: readonly EdgeStats[]
  readonly columns: number
  readonly rows: number
  readonly color: boolean
}

const TONES: Record<Tone, Record<string, unknown>> = {
  plain: {},
  name: { bold: true },
  ok: { color: 'green' },
  warn: { color: 'yellow' },
  gw: { color: 'cyan' },
  border: { color: 'blue' },
  dim: { dimColor: true },
}

export function MapView(props: MapViewProps): ReactElement {
  const { view, columns, rows, color } = props
  const lines = edgeLines(props.edges, columns)
  const map = layoutMap(view, lines, columns, rows)
  // Bold is not colour: names stay bold without it.
  const style = (t: Tone) => (color ? TONES[t] : t === 'name' ? TONES.name : {})
  return h(
    Box,
    { flexDirection: 'column', width: columns, height: rows, overflow: 'hidden' },
    ...map.networks.map((line, i) =>
      h(
        Text,
        { key: `net-${i}`, wrap: 'truncate' },
        ...line.map((s, j) => h(Text, { key: `${j}`, ...style(s.tone) }, s.text)),
      ),
    ),
    lines.length === 0 && map.networks.length < rows
      ? h(
          Text,
          { key: 'idle', wrap: 'truncate', dimColor: color },
          'no traffic yet: press l to send load from a sleep pod',
        )
      : null,
    ...map.edges.map((l, i) =>
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
    map.more ? h(Text, { key: 'more', wrap: 'truncate', dimColor: color }, map.more) : null,
  )
}
