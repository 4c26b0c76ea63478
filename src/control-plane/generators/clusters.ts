// CDS: one outbound cluster per service port for sidecars (ISTIO_MUTUAL with the SNI form and the
// service's identities), and one TLS-less SNI cluster per service port for gateways.

import type { SpiffeId } from '../../model/index.ts'
import { clusterName, sniName, spiffeId } from '../../model/index.ts'
import type { Cluster, ProxyNode } from '../../xds/index.ts'
import type { MeshSnapshot } from '../snapshot.ts'
import { passthroughPorts } from './endpoints.ts'

export function buildSidecarClusters(_node: ProxyNode, snap: MeshSnapshot): Cluster[] {
  return snap.services.flatMap((s) => {
    // The SAN list is the union of the service accounts the service runs as, in every cluster.
    const sans = [
      ...new Set(
        (snap.endpoints.get(s.host) ?? []).map((e) =>
          spiffeId({
            trustDomain: snap.settings.trustDomain,
            namespace: e.namespace,
            serviceAccount: e.serviceAccount,
          }),
        ),
      ),
    ].sort() as SpiffeId[]
    return s.ports.map((p) => {
      const key = { direction: 'outbound' as const, port: p.port, subset: '', host: s.host }
      return {
        name: clusterName(key),
        type: 'EDS' as const,
        host: s.host,
        port: p.port,
        subset: '',
        protocol: p.protocol,
        tls: { sni: sniName(key), subjectAltNames: sans },
        lbPolicy: 'LEAST_REQUEST' as const,
        connectTimeoutMs: snap.settings.connectTimeoutMs,
      }
    })
  })
}

export function buildGatewayClusters(_node: ProxyNode, snap: MeshSnapshot): Cluster[] {
  return passthroughPorts(snap).map(({ service, port }) => {
    const key = { direction: 'outbound' as const, port, subset: '', host: service.host }
    return {
      name: sniName(key),
      type: 'EDS' as const,
      host: service.host,
      port,
      subset: '',
      protocol: 'TCP' as const,
      lbPolicy: 'LEAST_REQUEST' as const,
      connectTimeoutMs: snap.settings.connectTimeoutMs,
    }
  })
}
