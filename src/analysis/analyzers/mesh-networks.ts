// meshNetworks against the registries an istiod knows (Istio's meshnetworks.MeshNetworksAnalyzer):
// Mock, Kubernetes and External, plus one per cluster it holds a remote secret for. meshsim names
// an istiod's own registry after its cluster (the guides' `Kubernetes`), so that counts too.

import type { MeshNetwork } from '../../model/index.ts'
import type { Finding } from '../finding.ts'
import { text, UnknownMeshNetworksServiceRegistry } from '../messages.ts'
import type { AnalysisInput, ClusterInput, Origin } from '../types.ts'

const BUILT_IN_REGISTRIES = ['Mock', 'Kubernetes', 'External']

/** The meshNetworks the cluster's istiod uses: its istio ConfigMap's, else the topology's. */
function meshNetworksOf(
  input: AnalysisInput,
  cluster: ClusterInput,
):
  | { networks: Readonly<Record<string, MeshNetwork>>; origin?: Origin; field?: string }
  | undefined {
  for (const { resource: r, origin } of cluster.resources) {
    if (r.kind !== 'ConfigMap' || r.metadata.namespace !== 'istio-system') continue
    if (r.metadata.name !== 'istio' || !r.meshNetworks) continue
    return { networks: r.meshNetworks, ...(origin ? { origin, field: 'data.meshNetworks' } : {}) }
  }
  const mn = input.meshNetworks
  return mn && { networks: mn.networks, ...(mn.origin ? { origin: mn.origin } : {}) }
}

export function analyzeMeshNetworks(input: AnalysisInput, cluster: ClusterInput): Finding[] {
  if (!cluster.primary) return []
  const mn = meshNetworksOf(input, cluster)
  if (!mn) return []
  const known = new Set([...BUILT_IN_REGISTRIES, cluster.name, ...cluster.remoteSecrets])
  for (const { resource: r } of cluster.resources)
    if (r.kind === 'Secret') for (const access of r.remoteClusters) known.add(access.cluster)
  const out: Finding[] = []
  for (const [network, net] of Object.entries(mn.networks)) {
    net.endpoints.forEach((e, j) => {
      if (!('fromRegistry' in e) || known.has(e.fromRegistry)) return
      const field = mn.field ?? `networks.${network}.endpoints[${j}].fromRegistry`
      out.push({
        type: UnknownMeshNetworksServiceRegistry,
        // Istio files meshNetworks as this resource, wherever they were read from.
        resource: {
          kind: 'MeshNetworks',
          namespace: 'istio-system',
          name: 'meshnetworks',
          cluster: cluster.name,
        },
        message: text.unknownMeshNetworksServiceRegistry(e.fromRegistry, network),
        ...(mn.origin ? { origin: mn.origin, field } : {}),
      })
    })
  }
  return out
}
