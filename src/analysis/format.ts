// istioctl analyze's output (istioctl/pkg/util/formatting/formatter.go, analyze.go): one line per
// message, `<Level> [<Code>] [cluster-<name>] (<Kind> <ns>/<name> <file>:<line>) <message>`, the
// level coloured on a terminal; the lines that close a run; -o json and yaml.

import { stringify } from 'yaml'
import type { Level } from './messages.ts'
import type { AnalysisMessage } from './types.ts'

export interface LineOptions {
  /** Prefix `[cluster-<name>]`, as istioctl does when the messages span several clusters. */
  readonly printCluster: boolean
  readonly color: boolean
}

const COLORS: Readonly<Record<Level, string>> = {
  Info: '',
  Warning: '\x1b[33m',
  Error: '\x1b[1;31m',
}

export const ANALYSIS_DOCS = 'https://istio.io/latest/docs/reference/config/analysis'

/** `Kind ns/name` (or `Kind name` when cluster-scoped), then ` file:line` when read from a file. */
function originOf(m: AnalysisMessage): string {
  const r = m.resource
  const name = r.namespace ? `${r.namespace}/${r.name}` : r.name
  // istioctl names the line only: drop the column.
  const ref = m.origin ? ` ${m.origin.slice(0, m.origin.lastIndexOf(':'))}` : ''
  return `${r.kind} ${name}${ref}`
}

export function formatLine(m: AnalysisMessage, opts: LineOptions): string {
  const level = opts.color && COLORS[m.level] ? `${COLORS[m.level]}${m.level}\x1b[0m` : m.level
  const cluster = opts.printCluster ? ` [cluster-${m.resource.cluster}]` : ''
  return `${level} [${m.code}]${cluster} (${originOf(m)}) ${m.message}`
}

/** What was analyzed, as istioctl words it: `namespace: sample` or `all namespaces`. */
export const targetOf = (namespace: string | undefined): string =>
  namespace === undefined ? 'all namespaces' : `namespace: ${namespace}`

/** The line on standard error when nothing at or above the output threshold was found. */
export const noIssuesLine = (what: string): string =>
  `\u2714 No validation issues found when analyzing ${what}.`

/** The lines on standard error when messages reach the failure threshold. */
export const issuesFoundLines = (target: string): string =>
  `Error: Analyzers found issues when analyzing ${target}.\nSee ${ANALYSIS_DOCS} for more information about causes and resolutions.`

export function formatJson(ms: readonly AnalysisMessage[]): string {
  return JSON.stringify(ms, null, 2)
}

export function formatYaml(ms: readonly AnalysisMessage[]): string {
  return ms.length === 0 ? '[]\n' : stringify(ms, { lineWidth: 0 })
}
