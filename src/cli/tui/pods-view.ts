// The lines of the :pods, :svc and proxy endpoints screens (ListView draws them): pods and
// services as fitted tables, and a proxy's endpoints grouped by cluster, where split horizon
// reads as local pod IPs followed by other networks' east-west gateways and their weights.

import { type Column, grid } from './grid.ts'
import type { Line } from './list-view.ts'
import type { PodRow, ProxyEndpoints, ServiceRow } from './pods.ts'

export interface Page {
  readonly head: readonly Line[]
  readonly body: readonly Line[]
}

const POD_COLUMNS: readonly Column[] = [
  { header: 'CLUSTER', min: 8 },
  { header: 'NAMESPACE', min: 12 },
  { header: 'NAME', min: 20 },
  { header: 'APP', min: 10, drop: 2, cut: 0 },
  { header: 'VERSION', drop: 3 },
  { header: 'IP' },
  { header: 'PROXY', drop: 4 },
  { header: 'READY' },
  { header: 'SYNC' },
]

/** A selectable table under its notes; `width` includes a column for the selection mark. */
function tablePage(
  notes: readonly string[],
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  width: number,
  warn: (row: number) => boolean = () => false,
): Page {
  const t = grid(columns, rows, width - 1)
  return {
    head: [
      ...notes.map((text) => ({ text, style: 'note' as const })),
      { text: ` ${t.header}`, style: 'header' },
    ],
    body: t.lines.map((text, i) => (warn(i) ? { text, style: 'warn' } : { text })),
  }
}

export function podsScreen(
  pods: readonly PodRow[],
  of: number,
  scope: string,
  width: number,
): Page {
  return tablePage(
    [
      `pods${scope ? ` @${scope}` : ''}  ${pods.length} of ${of}  ↑↓ select  enter endpoints  l load from it`,
    ],
    POD_COLUMNS,
    pods.map((p) => [
      p.cluster,
      p.namespace,
      p.name,
      p.app,
      p.version || '-',
      p.ip,
      p.proxy,
      p.ready,
      p.sync,
    ]),
    width,
    // A proxy not running its istiod's latest config.
    (i) => pods[i]?.sync === 'STALE' || pods[i]?.sync === 'NOT SENT',
  )
}

const SERVICE_COLUMNS: readonly Column[] = [
  { header: 'CLUSTER', min: 8 },
  { header: 'NAMESPACE', min: 7 },
  { header: 'NAME', min: 12 },
  { header: 'PORTS', min: 9 },
  { header: 'LOCAL' },
  { header: 'REMOTE' },
]

export function servicesScreen(
  services: readonly ServiceRow[],
  scope: string,
  width: number,
): Page {
  return tablePage(
    [
      `services${scope ? ` @${scope}` : ''}  LOCAL = on the cluster's network, REMOTE = behind gateways`,
      "counted as each cluster's first sidecar pod sees them; enter lists them",
    ],
    SERVICE_COLUMNS,
    services.map((s) => [
      s.cluster,
      s.namespace,
      s.name,
      s.ports,
      String(s.local),
      String(s.remote),
    ]),
    width,
  )
}

const ENDPOINT_COLUMNS: readonly Column[] = [
  { header: 'ENDPOINT' },
  { header: 'STATUS', drop: 1 },
  { header: 'OUTLIER CHECK' },
  { header: 'WEIGHT' },
  { header: 'REACHES', min: 30 },
]

/** A proxy's endpoints, only the clusters of `host` when given. */
export function endpointsScreen(e: ProxyEndpoints, width: number, host?: string): Page {
  const groups = host ? e.groups.filter((g) => g.cluster.endsWith(`||${host}`)) : e.groups
  const rows = groups.flatMap((g) => g.endpoints)
  const t = grid(
    ENDPOINT_COLUMNS,
    rows.map((r) => [r.host, r.status, r.outlier, String(r.weight), r.reaches]),
    width - 2,
  )
  const body: Line[] = []
  let i = 0
  for (const g of groups) {
    const local = g.endpoints.filter((x) => !x.remote).length
    const remote = g.endpoints.length - local
    body.push({ text: `${g.cluster}  ${local} local, ${remote} remote`, style: 'title' })
    for (const r of g.endpoints) {
      const text = `  ${t.lines[i++] ?? ''}`
      body.push(r.outlier === 'FAILED' ? { text, style: 'warn' } : { text })
    }
  }
  if (groups.length === 0)
    body.push({ text: host ? `no endpoints for ${host}` : 'no endpoints', style: 'note' })
  return {
    head: [
      {
        text: `proxy ${e.proxy}  ${e.version === undefined ? 'NOT SENT' : `config v${e.version}`}`,
        style: 'title',
      },
      {
        text: `${e.network} ${e.ip}  split horizon: ${e.network} pods direct, others via gateway`,
        style: 'note',
      },
      { text: `  ${t.header}`, style: 'header' },
    ],
    body,
  }
}
