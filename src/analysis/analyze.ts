// Runs every analyzer on the clusters asked for, then treats the messages as istioctl does
// (local/istiod_analyze.go, diag/messages.go): keeps those in the namespace asked for (and those
// on cluster-scoped resources), drops codes a resource's galley.istio.io/analyze-suppress
// annotation silences, sorts by cluster, level, code and resource, and removes duplicates.

import { analyzeDestinationRules } from './analyzers/destination-rule.ts'
import { analyzeInjection } from './analyzers/injection.ts'
import { analyzeMeshNetworks } from './analyzers/mesh-networks.ts'
import { analyzeMultiClusterServices } from './analyzers/multicluster-service.ts'
import { analyzeServicePorts } from './analyzers/service-ports.ts'
import { analyzeVirtualServices } from './analyzers/virtual-service.ts'
import { Catalog } from './catalog.ts'
import type { Finding } from './finding.ts'
import { levelRank } from './messages.ts'
import type { AnalysisInput, AnalysisMessage } from './types.ts'

export interface AnalyzeOptions {
  /** The clusters to analyze; all when absent. */
  readonly clusters?: readonly string[]
  /** The namespace to report on; all when absent. */
  readonly namespace?: string
}

const SUPPRESS = 'galley.istio.io/analyze-suppress'

export const documentationUrl = (code: string): string =>
  `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`

function toMessage(f: Finding): AnalysisMessage {
  const at = (f.field && f.origin?.fields?.[f.field]) || f.origin
  return {
    level: f.type.level,
    code: f.type.code,
    resource: f.resource,
    message: f.message,
    ...(f.origin && at ? { origin: `${f.origin.file}:${at.line}:${at.col}` } : {}),
    documentationUrl: documentationUrl(f.type.code),
  }
}

const suppressed = (f: Finding): boolean => {
  const codes = f.annotations?.[SUPPRESS]?.split(',').map((c) => c.trim())
  return codes?.some((c) => c === '*' || c === f.type.code) ?? false
}

/** The namespace a message is filed under: a Namespace's own name, '' for other cluster-scoped kinds. */
const namespaceOf = (m: AnalysisMessage) =>
  m.resource.kind === 'Namespace' ? m.resource.name : m.resource.namespace

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Istio's message order: cluster, level (worst first), code, then kind/name/namespace. */
export function compareMessages(a: AnalysisMessage, b: AnalysisMessage): number {
  const ra = a.resource
  const rb = b.resource
  return (
    cmp(ra.cluster, rb.cluster) ||
    levelRank(a.level) - levelRank(b.level) ||
    cmp(a.code, b.code) ||
    cmp(`${ra.kind}/${ra.name}/${ra.namespace}`, `${rb.kind}/${rb.name}/${rb.namespace}`) ||
    cmp(`${a.origin ?? ''} ${a.message}`, `${b.origin ?? ''} ${b.message}`)
  )
}

const identity = (m: AnalysisMessage) =>
  JSON.stringify([m.resource, m.level, m.code, m.origin ?? '', m.message])

export function analyze(input: AnalysisInput, opts: AnalyzeOptions = {}): AnalysisMessage[] {
  const selected = input.clusters.filter(
    (c) => opts.clusters === undefined || opts.clusters.includes(c.name),
  )
  const findings: Finding[] = []
  for (const cluster of selected) {
    const catalog = new Catalog(input, cluster)
    findings.push(
      ...analyzeVirtualServices(cluster, catalog),
      ...analyzeDestinationRules(cluster, catalog),
      ...analyzeServicePorts(cluster),
      ...analyzeMeshNetworks(input, cluster),
      ...analyzeInjection(cluster),
    )
  }
  findings.push(...analyzeMultiClusterServices(input, new Set(selected.map((c) => c.name))))
  const messages = findings
    .filter((f) => !suppressed(f))
    .map(toMessage)
    .filter((m) => {
      const ns = namespaceOf(m)
      return opts.namespace === undefined || ns === '' || ns === opts.namespace
    })
    .sort(compareMessages)
  return messages.filter(
    (m, i) => i === 0 || identity(m) !== identity(messages[i - 1] as AnalysisMessage),
  )
}

/** The namespaces that exist in the clusters (default and istio-system always do). */
export function namespacesOf(input: AnalysisInput, clusters?: readonly string[]): string[] {
  const out = new Set(['default', 'istio-system'])
  for (const c of input.clusters) {
    if (clusters !== undefined && !clusters.includes(c.name)) continue
    for (const s of c.services) out.add(s.namespace)
    for (const p of c.pods) out.add(p.namespace)
    for (const { resource: r } of c.resources)
      out.add(r.kind === 'Namespace' ? r.metadata.name : r.metadata.namespace)
  }
  return [...out].sort()
}
