// What a control plane's registry learns from one cluster (its Kubernetes API, through a remote
// secret or as its own): a ServiceRecord per Service, and an EndpointRecord per pod and Service
// that selects it, carrying the pod's labels, the cluster's network and its nodes' locality.

import type { EndpointRecord, Registry, ServiceRecord } from '../control-plane/index.ts'
import type { Cluster } from '../model/index.ts'
import { labelsOf, type Pod, type Service, selects } from './inventory.ts'

/** A cluster's nodes' locality as Istio writes it: `region/zone/subzone`, trailing parts dropped. */
export function localityOf(c: Cluster): string {
  return c.locality
    ? [c.locality.region, c.locality.zone ?? '', c.locality.subzone ?? '']
        .join('/')
        .replace(/\/+$/, '')
    : ''
}

export function serviceRecord(c: Cluster, s: Service): ServiceRecord {
  return {
    cluster: c.name,
    namespace: s.namespace,
    name: s.name,
    host: s.host,
    clusterIP: s.clusterIP,
    ports: s.ports,
  }
}

/** The endpoints a pod contributes: one per Service of its cluster that selects it. */
export function endpointRecords(
  c: Cluster,
  services: readonly Service[],
  pod: Pod,
): EndpointRecord[] {
  return services
    .filter((s) => selects(s, pod))
    .map((s) => ({
      host: s.host,
      cluster: c.name,
      network: c.network,
      pod: pod.name,
      namespace: pod.namespace,
      ip: pod.ip,
      serviceAccount: pod.serviceAccount,
      labels: labelsOf(pod),
      locality: localityOf(c),
      // Workload pods are injected; istiod and the gateways run their own proxies (still mTLS-capable).
      tlsMode: 'istio',
    }))
}

/** Everything a registry learns from a cluster's Services and pods. */
export function fillRegistry(
  registry: Registry,
  c: Cluster,
  inv: { readonly services: readonly Service[]; readonly pods: readonly Pod[] },
): void {
  for (const s of inv.services) registry.upsertService(serviceRecord(c, s))
  for (const pod of inv.pods) {
    for (const ep of endpointRecords(c, inv.services, pod)) registry.upsertEndpoint(ep)
  }
}
