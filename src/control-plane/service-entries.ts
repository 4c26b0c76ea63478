// ServiceEntries as services (istio pilot/pkg/serviceregistry/serviceentry): each host of an
// entry becomes a MeshService with the entry's ports, VIPs and location, and its endpoints
// (WorkloadEntry specs) become the endpoints proxies are sent. Resolution STATIC and DNS are
// emulated alike: IP endpoints are dialed as written, a host name resolves to the ClusterIP of a
// Service in the proxy's cluster (as the proxy's DNS would), anything else is dropped. Entries
// with resolution NONE are skipped, so traffic to them passes through to where the app dialed.

import type {
  ClusterId,
  NetworkId,
  ServiceEntry,
  ServicePort,
  SpiffeId,
  Subset,
  TrafficPolicy,
  WorkloadEntrySpec,
} from '../model/index.ts'
import {
  istioAtLeast,
  selectProtocol,
  serviceAccount,
  serviceHost,
  spiffeId,
} from '../model/index.ts'
import type { LbEndpoint, ProxyNode } from '../xds/index.ts'
import type { MeshService, MeshSnapshot } from './snapshot.ts'

/** What a MeshService keeps of the ServiceEntry it came from. */
export interface EntryInfo {
  /** `name.namespace` of the ServiceEntry. */
  readonly ref: string
  readonly location: 'MESH_EXTERNAL' | 'MESH_INTERNAL'
  readonly resolution: 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN'
  /** VIPs (`addresses`): IPs only; CIDRs do not make listeners here. */
  readonly addresses: readonly string[]
  readonly endpoints: readonly WorkloadEntrySpec[]
  readonly subjectAltNames: readonly string[]
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** An entry port as a service port: protocol from `protocol` (absent: auto-detect). */
function portOf(p: NonNullable<ServiceEntry['spec']['ports']>[number]): ServicePort {
  return {
    name: p.name,
    port: p.number,
    targetPort: p.targetPort ?? p.number,
    protocol: p.protocol
      ? selectProtocol({ port: p.number, appProtocol: p.protocol })
      : 'UnsupportedProtocol',
  }
}

/**
 * The services of the entries, oldest entry first per host; hosts in `taken` (Kubernetes
 * Services) and wildcard hosts are left out.
 */
export function serviceEntryServices(
  entries: readonly ServiceEntry[],
  taken: ReadonlySet<string>,
): MeshService[] {
  const out = new Map<string, MeshService>()
  for (const se of entries) {
    const { spec, metadata } = se
    const resolution = spec.resolution ?? 'NONE'
    if (resolution === 'NONE') continue
    const entry: EntryInfo = {
      ref: `${metadata.name}.${metadata.namespace}`,
      location: spec.location ?? 'MESH_EXTERNAL',
      resolution,
      addresses: (spec.addresses ?? [])
        .map((a) => a.replace(/\/32$/, ''))
        .filter((a) => IPV4.test(a)),
      endpoints: spec.endpoints ?? [],
      subjectAltNames: spec.subjectAltNames ?? [],
    }
    for (const h of spec.hosts) {
      const host = h.toLowerCase()
      if (host.startsWith('*') || taken.has(host) || out.has(host)) continue
      out.set(host, {
        host: serviceHost(host),
        namespace: metadata.namespace,
        name: host,
        ports: (spec.ports ?? []).map(portOf),
        clusterIPs: new Map<ClusterId, string>(),
        entry,
      })
    }
  }
  return [...out.values()]
}

/** The addresses a proxy's traffic to a service is captured at: its ClusterIP or entry VIPs. */
export function vipsOf(node: Pick<ProxyNode, 'cluster'>, s: MeshService): string[] {
  const ip = s.clusterIPs.get(node.cluster)
  return ip ? [ip] : [...(s.entry?.addresses ?? [])]
}

/** The server identities of an entry: its subjectAltNames and its endpoints' service accounts. */
export function entrySans(snap: MeshSnapshot, s: MeshService): SpiffeId[] {
  const e = s.entry
  if (e === undefined) return []
  const ids = [
    ...e.subjectAltNames,
    ...e.endpoints.flatMap((ep) =>
      ep.serviceAccount
        ? [
            spiffeId({
              trustDomain: snap.settings.trustDomain,
              namespace: s.namespace,
              serviceAccount: serviceAccount(ep.serviceAccount),
            }),
          ]
        : [],
    ),
  ]
  return [...new Set(ids)].sort() as SpiffeId[]
}

const TLS_MODE_LABEL = 'security.istio.io/tlsMode'

/**
 * Whether a proxy originates Istio mTLS to an entry: when the DestinationRule says ISTIO_MUTUAL;
 * without a TLS setting only through auto-mTLS (1.5+), for endpoints labelled as mesh workloads.
 */
export function entryMtls(
  snap: MeshSnapshot,
  s: MeshService,
  tls: TrafficPolicy['tls'] | undefined,
): boolean {
  if (tls !== undefined) return tls.mode === 'ISTIO_MUTUAL'
  const eps = s.entry?.endpoints ?? []
  const auto = istioAtLeast(snap.settings.istioVersion ?? { major: 1, minor: 24 }, 5)
  return auto && eps.length > 0 && eps.every((ep) => ep.labels?.[TLS_MODE_LABEL] === 'istio')
}

/**
 * Whether a proxy's network view shows an endpoint's network (istio-semantics §0.1): up to 1.7
 * only the requested networks, and `""` when none is requested; from 1.8 every network when none
 * is requested, else the requested ones and `""`.
 */
function inView(node: Pick<ProxyNode, 'requestedNetworkView'>, network: string, legacy: boolean) {
  const view = node.requestedNetworkView
  if (legacy) return (view ?? ['' as NetworkId]).includes(network as NetworkId)
  return view === undefined || network === '' || view.includes(network as NetworkId)
}

function inSubset(labels: Readonly<Record<string, string>>, subset: Subset | undefined): boolean {
  return Object.entries(subset?.labels ?? {}).every(([k, v]) => labels[k] === v)
}

/** An endpoint's address as the proxy dials it: an IP, or a Service name resolved in its cluster. */
function addressOf(snap: MeshSnapshot, node: ProxyNode, address: string): string | undefined {
  if (IPV4.test(address)) return address
  const host = address.toLowerCase().replace(/\.$/, '')
  return snap.services
    .find((x) => x.host === host && x.entry === undefined)
    ?.clusterIPs.get(node.cluster)
}

/** The endpoints a proxy is sent for one port (and subset) of an entry's host. */
export function entryEndpoints(
  node: ProxyNode,
  snap: MeshSnapshot,
  s: MeshService,
  port: ServicePort,
  subset: Subset | undefined,
): LbEndpoint[] {
  const legacy = !istioAtLeast(snap.settings.istioVersion ?? { major: 1, minor: 24 }, 8)
  const out: LbEndpoint[] = []
  for (const ep of s.entry?.endpoints ?? []) {
    const labels = ep.labels ?? {}
    const network = ep.network ?? ''
    if (!inView(node, network, legacy) || !inSubset(labels, subset)) continue
    const address = addressOf(snap, node, ep.address)
    if (address === undefined) continue
    out.push({
      address,
      port: ep.ports?.[port.name] ?? port.targetPort,
      weight: ep.weight ?? 1,
      network: network as NetworkId,
      cluster: node.cluster,
      tlsMode: labels[TLS_MODE_LABEL] === 'istio' ? 'istio' : 'disabled',
      kind: 'service-entry',
      labels,
      locality: ep.locality ?? '',
    })
  }
  return out
}
