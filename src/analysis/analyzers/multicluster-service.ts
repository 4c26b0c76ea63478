// A Service defined differently in the clusters it exists in (Istio's
// services.MultiClusterServiceAnalyzer, IST0170): istiod merges them into one service, so their
// ports must agree. meshsim's Services are all ClusterIP, so type and headless mode cannot differ.

import type { ServicePort } from '../../model/index.ts'
import type { Finding } from '../finding.ts'
import { MultiClusterInconsistentService, text } from '../messages.ts'
import type { AnalysisInput, ServiceInput } from '../types.ts'

const portsKey = (ports: readonly ServicePort[]) =>
  JSON.stringify(
    [...ports]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => [p.name, p.port, p.targetPort, p.appProtocol ?? '', p.protocol]),
  )

/** `reportIn`: the clusters being analyzed; the message goes on the first of them involved. */
export function analyzeMultiClusterServices(
  input: AnalysisInput,
  reportIn: ReadonlySet<string>,
): Finding[] {
  const byName = new Map<string, { cluster: string; service: ServiceInput }[]>()
  for (const c of input.clusters)
    for (const s of c.services) {
      const key = `${s.namespace}/${s.name}`
      byName.set(key, [...(byName.get(key) ?? []), { cluster: c.name, service: s }])
    }
  const out: Finding[] = []
  for (const copies of byName.values()) {
    if (copies.length < 2) continue
    copies.sort((a, b) => (a.cluster < b.cluster ? -1 : 1))
    const [first, ...rest] = copies
    if (!first) continue
    const reference = portsKey(first.service.ports)
    const differing = rest.filter((c) => portsKey(c.service.ports) !== reference)
    if (differing.length === 0) continue
    const clusters = [first, ...differing].map((c) => c.cluster)
    const at = [first, ...differing].find((c) => reportIn.has(c.cluster))
    if (!at) continue
    const s = at.service
    out.push({
      type: MultiClusterInconsistentService,
      resource: { kind: 'Service', namespace: s.namespace, name: s.name, cluster: at.cluster },
      message: text.multiClusterInconsistentService(
        s.name,
        s.namespace,
        clusters,
        'service ports are inconsistent',
      ),
      ...(s.origin ? { origin: s.origin } : {}),
    })
  }
  return out
}
