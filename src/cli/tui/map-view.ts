// The mesh map: one box per network holding its clusters (control plane and sync state,
// east-west gateway address, workloads by service and version), and below them the live edges
// between workloads; rows left over show the newest requests, so traffic visibly flows on a big
// screen. map-layout.ts decides what fits in the columns and rows it is given; this only draws
// it, colouring what the text already says when colour is on.

import { Box, Text } from 'ink'
import { createElement as h, type ReactElement } from 'react'
import type { AccessRecord } from '../../runtime/index.ts'
import { edgeLines } from './edge-lines.ts'
import { layoutMap, type Tone } from './map-layout.ts'
import { requestLine } from './requests.ts'
import type { MeshView } from './topology.ts'
import type { EdgeStats } from './traffic.ts'

export interface MapViewProps {
  readonly view: MeshView
  readonly edges: readonly EdgeStats[]
  /** The request log, oldest first; its newest lines fill the rows the map leaves empty. */
  readonly recent?: readonly AccessRecord[]
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
  const idle = lines.length === 0 && map.networks.length < rows
  const used = map.networks.length + (idle ? 1 : 0) + map.edges.length + (map.more ? 1 : 0)
  // A blank line and a title, then at least two requests, or nothing.
  const room = rows - used - 2
  const recent = room >= 2 ? (props.recent ?? []).slice(-room) : []
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
    idle
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
    ...(recent.length > 0
      ? [
          h(Text, { key: 'gap' }, ' '),
          h(
            Text,
            { key: 'recent', wrap: 'truncate', bold: true },
            'newest requests  (:req lists them all; enter there opens the hops)',
          ),
          ...recent.map((r, i) =>
            h(
              Text,
              {
                key: `req-${i}`,
                wrap: 'truncate',
                ...(color && (r.responseCode >= 500 || r.responseFlags.length > 0)
                  ? { color: 'red' }
                  : {}),
              },
              requestLine(r),
            ),
          ),
        ]
      : []),
  )
}
