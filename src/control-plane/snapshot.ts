// MeshSnapshot: an immutable, indexed copy of the registry at one version (Istio's PushContext).
// Generators read only this, so the same snapshot always yields the same config.

import type {
  ClusterId,
  ClusterRewriteFilter,
  DestinationRule,
  Gateway,
  IstioResource,
  IstioVersion,
  MeshConfig,
  MeshNetwork,
  NetworkId,
  ServiceEntry,
  ServiceHost,
  ServicePort,
  TrustDomain,
  VirtualService,
} from '../model/index.ts'
import { istioAtLeast } from '../model/index.ts'
import type { EndpointRecord, NetworkGateway, Registry, ServiceRecord } from './registry.ts'
import { type EntryInfo, serviceEntryServices } from './service-entries.ts'

/** One host across clusters: Services with the same name and namespace are one service. */
export interface MeshService {
  readonly host: ServiceHost
  readonly namespace: ServiceRecord['namespace']
  readonly name: string
  /** Ports by port number, from the Services of every cluster (first definition wins). */
  readonly ports: readonly ServicePort[]
  /** The ClusterIP per cluster that defines the Service. */
  readonly clusterIPs: ReadonlyMap<ClusterId, string>
  /** Set when the host comes from a ServiceEntry rather than a Kubernetes Service. */
  readonly entry?: EntryInfo
}

export interface MeshSettings {
  readonly trustDomain: TrustDomain
  /** meshConfig.connectTimeout; Istio's default is 10 s. */
  readonly connectTimeoutMs: number
  /** The release whose behaviour generators follow where it changed (default 1.24). */
  readonly istioVersion?: IstioVersion
}

/** The Istio configuration a control plane read from its own cluster, oldest first per kind. */
export interface IstioConfig {
  readonly virtualServices: readonly VirtualService[]
  readonly destinationRules: readonly DestinationRule[]
  readonly serviceEntries: readonly ServiceEntry[]
  readonly gateways: readonly Gateway[]
  /** EnvoyFilters an install put in place (not read from YAML). */
  readonly envoyFilters?: readonly ClusterRewriteFilter[]
}

export const emptyIstioConfig: IstioConfig = {
  virtualServices: [],
  destinationRules: [],
  serviceEntries: [],
  gateways: [],
}

export function istioConfigOf(
  resources: readonly IstioResource[],
  envoyFilters: readonly ClusterRewriteFilter[] = [],
): IstioConfig {
  const of = <K extends IstioResource['kind']>(kind: K) =>
    resources.filter((r): r is Extract<IstioResource, { kind: K }> => r.kind === kind)
  return {
    virtualServices: of('VirtualService'),
    destinationRules: of('DestinationRule'),
    serviceEntries: of('ServiceEntry'),
    gateways: of('Gateway'),
    ...(envoyFilters.length > 0 ? { envoyFilters } : {}),
  }
}

export interface MeshSnapshot {
  readonly version: number
  readonly settings: MeshSettings
  /** Sorted by host. */
  readonly services: readonly MeshService[]
  readonly endpoints: ReadonlyMap<ServiceHost, readonly EndpointRecord[]>
  /** De-duplicated and sorted, as Istio's NetworkManager keeps them. */
  readonly gateways: readonly NetworkGateway[]
  /** Istio resources from the control plane's own cluster. */
  readonly config: IstioConfig
  readonly meshConfig: MeshConfig
}

/**
 * The network gateways istiod knows: those meshNetworks lists (by address; a registryServiceName
 * names a gateway the registry discovered), plus, since 1.8, the gateways discovered from
 * Services labelled topology.istio.io/network (the topology's east-west gateways). Before 1.8
 * meshNetworks was the only source.
 */
function networkGateways(
  discovered: readonly NetworkGateway[],
  meshNetworks: Readonly<Record<string, MeshNetwork>> | undefined,
  version: IstioVersion | undefined,
): NetworkGateway[] {
  const out = new Map<string, NetworkGateway>()
  const add = (g: NetworkGateway) => out.set(`${g.network}/${g.cluster}/${g.address}:${g.port}`, g)
  if (version === undefined || istioAtLeast(version, 8)) for (const g of discovered) add(g)
  for (const [name, net] of Object.entries(meshNetworks ?? {})) {
    const network = name as NetworkId
    const registry = net.endpoints.find((e) => 'fromRegistry' in e)
    const cluster = (
      registry && 'fromRegistry' in registry ? registry.fromRegistry : ''
    ) as ClusterId
    for (const g of net.gateways) {
      if ('address' in g) {
        add({ network, cluster, address: g.address, port: g.port })
        continue
      }
      // The Service names the gateway: its address is what the registry discovered for it.
      const found = discovered.find((d) => d.network === network)
      if (found) add({ ...found, port: g.port })
    }
  }
  return [...out.values()]
}

export function buildSnapshot(
  version: number,
  settings: MeshSettings,
  registry: Pick<Registry, 'services' | 'endpoints' | 'gateways'>,
  config: IstioConfig = emptyIstioConfig,
  meshConfig: MeshConfig = {},
  meshNetworks?: Readonly<Record<string, MeshNetwork>>,
): MeshSnapshot {
  const byHost = new Map<
    ServiceHost,
    { rec: ServiceRecord; ports: ServicePort[]; ips: Map<ClusterId, string> }
  >()
  for (const s of [...registry.services()].sort((a, b) => a.cluster.localeCompare(b.cluster))) {
    const entry = byHost.get(s.host) ?? {
      rec: s,
      ports: [] as ServicePort[],
      ips: new Map<ClusterId, string>(),
    }
    for (const p of s.ports) if (!entry.ports.some((q) => q.port === p.port)) entry.ports.push(p)
    entry.ips.set(s.cluster, s.clusterIP)
    byHost.set(s.host, entry)
  }
  const services = [...byHost.values()]
    .map(
      ({ rec, ports, ips }): MeshService => ({
        host: rec.host,
        namespace: rec.namespace,
        name: rec.name,
        ports,
        clusterIPs: ips,
      }),
    )
    .concat(serviceEntryServices(config.serviceEntries, new Set(byHost.keys())))
    .sort((a, b) => a.host.localeCompare(b.host))
  const endpoints = new Map<ServiceHost, EndpointRecord[]>()
  for (const e of [...registry.endpoints()].sort(
    (a, b) => a.cluster.localeCompare(b.cluster) || a.pod.localeCompare(b.pod),
  )) {
    if (!byHost.has(e.host)) continue
    const list = endpoints.get(e.host) ?? []
    list.push(e)
    endpoints.set(e.host, list)
  }
  const gateways = networkGateways(registry.gateways(), meshNetworks, settings.istioVersion).sort(
    (a, b) =>
      a.network.localeCompare(b.network) ||
      a.cluster.localeCompare(b.cluster) ||
      a.address.localeCompare(b.address) ||
      a.port - b.port,
  )
  return Object.freeze({ version, settings, services, endpoints, gateways, config, meshConfig })
}
