// Namespaces without sidecar injection (Istio's injection.Analyzer, IST0102): a Namespace that
// carries neither istio-injection nor istio.io/rev. One labelled istio-injection=disabled is left
// alone, as are istio-system and Kubernetes' own. Only declared Namespaces are checked: the ones
// meshsim makes for a topology's workloads inject, and `default` holds none of them.

import type { Finding } from '../finding.ts'
import { findingOn } from '../finding.ts'
import { NamespaceNotInjected, text } from '../messages.ts'
import type { ClusterInput } from '../types.ts'
import { SYSTEM_NAMESPACES } from './service-ports.ts'

export function analyzeInjection(cluster: ClusterInput): Finding[] {
  const out: Finding[] = []
  for (const located of cluster.resources) {
    const ns = located.resource
    if (ns.kind !== 'Namespace') continue
    const name = ns.metadata.name
    if (name === 'istio-system' || SYSTEM_NAMESPACES.has(name)) continue
    const labels = ns.metadata.labels ?? {}
    if (labels['istio-injection'] !== undefined || labels['istio.io/rev'] !== undefined) continue
    out.push(
      findingOn(
        NamespaceNotInjected,
        located,
        cluster.name,
        text.namespaceNotInjected(name),
        'metadata.name',
      ),
    )
  }
  return out
}
