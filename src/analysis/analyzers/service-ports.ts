// Service port names (Istio's service.PortNameAnalyzer): a port whose name (or appProtocol)
// selects no protocol is left to protocol sniffing, which Istio reports as IST0118.

import type { IstioResource } from '../../model/index.ts'
import type { Finding } from '../finding.ts'
import { PortNameIsNotUnderNamingConvention, text } from '../messages.ts'
import type { ClusterInput } from '../types.ts'

/** Kubernetes' own namespaces, which Istio's analyzers skip (inject.IgnoredNamespaces). */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'local-path-storage',
])

/** Istio's own Services carry an `istio` label or `release: istio` (IsIstioControlPlane). */
const isControlPlane = (r: IstioResource | undefined) =>
  r?.metadata.labels?.istio !== undefined || r?.metadata.labels?.release === 'istio'

export function analyzeServicePorts(cluster: ClusterInput): Finding[] {
  const out: Finding[] = []
  for (const s of cluster.services) {
    if (SYSTEM_NAMESPACES.has(s.namespace)) continue
    const located = cluster.resources.find(
      ({ resource: r }) =>
        r.kind === 'Service' && r.metadata.namespace === s.namespace && r.metadata.name === s.name,
    )
    if (isControlPlane(located?.resource)) continue
    const origin = s.origin ?? located?.origin
    const annotations = located?.resource.metadata.annotations
    s.ports.forEach((p, i) => {
      if (p.protocol !== 'UnsupportedProtocol') return
      out.push({
        type: PortNameIsNotUnderNamingConvention,
        resource: { kind: 'Service', namespace: s.namespace, name: s.name, cluster: cluster.name },
        message: text.portNameIsNotUnderNamingConvention(p.name, p.port, String(p.targetPort)),
        ...(origin ? { origin, field: `spec.ports[${i}].port` } : {}),
        ...(annotations ? { annotations } : {}),
      })
    })
  }
  return out
}
