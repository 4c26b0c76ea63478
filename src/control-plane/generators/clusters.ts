// CDS for sidecars: one outbound cluster per service port plus one per DestinationRule subset
// (ISTIO_MUTUAL with the SNI form and the service's identities, unless the rule disables TLS;
// ServiceEntry hosts get mTLS only as their rule or auto-mTLS says, service-entries.ts).

import type { DestinationRule, ServiceHost, SpiffeId, Subset } from '../../model/index.ts'
import { clusterName, sniName, spiffeId } from '../../model/index.ts'
import type { Cluster, ProxyNode } from '../../xds/index.ts'
import { entryMtls, entrySans } from '../service-entries.ts'
import type { MeshService, MeshSnapshot } from '../snapshot.ts'
import {
  clusterVariants,
  destinationRuleFor,
  lbPolicyOf,
  outlierOf,
  ruleRef,
  tlsOf,
} from './destination-rules.ts'

/** The SAN list: every service account the service runs as, in every cluster. */
function identitiesOf(snap: MeshSnapshot, host: ServiceHost): SpiffeId[] {
  const ids = (snap.endpoints.get(host) ?? []).map((e) =>
    spiffeId({
      trustDomain: snap.settings.trustDomain,
      namespace: e.namespace,
      serviceAccount: e.serviceAccount,
    }),
  )
  return [...new Set(ids)].sort() as SpiffeId[]
}

function sidecarCluster(
  snap: MeshSnapshot,
  s: MeshService,
  port: MeshService['ports'][number],
  rule: DestinationRule | undefined,
  subsetName: string,
  subset: Subset | undefined,
  sans: readonly SpiffeId[],
): Cluster {
  const key = { direction: 'outbound' as const, port: port.port, subset: subsetName, host: s.host }
  const tls = tlsOf(rule, subset)
  const outlier = outlierOf(rule, subset)
  // ISTIO_MUTUAL, or auto-mTLS when the rule says nothing: every mesh endpoint has a sidecar.
  const mtls = s.entry ? entryMtls(snap, s, tls) : tls === undefined || tls.mode === 'ISTIO_MUTUAL'
  return {
    name: clusterName(key),
    type: 'EDS',
    host: s.host,
    port: port.port,
    subset: subsetName,
    protocol: port.protocol,
    ...(mtls ? { tls: { sni: tls?.sni ?? sniName(key), subjectAltNames: sans } } : {}),
    lbPolicy: lbPolicyOf(rule, subset),
    connectTimeoutMs: snap.settings.connectTimeoutMs,
    ...(rule ? { destinationRule: ruleRef(rule) } : {}),
    ...(outlier ? { outlierDetection: outlier } : {}),
  }
}

export function buildSidecarClusters(node: ProxyNode, snap: MeshSnapshot): Cluster[] {
  return snap.services.flatMap((s) => {
    const sans = s.entry ? entrySans(snap, s) : identitiesOf(snap, s.host)
    const rule = destinationRuleFor(snap, s.host, node.namespace, s.namespace)
    return s.ports.flatMap((p) =>
      clusterVariants(rule).map(([name, subset]) =>
        sidecarCluster(snap, s, p, rule, name, subset, sans),
      ),
    )
  })
}
