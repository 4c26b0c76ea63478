// The replicated-control-plane install of Istio 1.1–1.8 for one cluster
// (values-istio-multicluster-gateways.yaml, istio-semantics §5.1), as the runtime deploys it:
// - pods and Services: istio-ingressgateway, istio-egressgateway and istiocoredns;
// - preconfigured config: Gateways for `*.global` on 15443 at both gateways, the `*.global`
//   ISTIO_MUTUAL DestinationRule, and the EnvoyFilter rewriting `.global` to `.svc.cluster.local`
//   at the ingress gateway;
// - DNS: istiocoredns serving the cluster's ServiceEntries, the cluster DNS stubbing `global` to
//   it, pods searching `global` and `<ns>.global` and seeing those names.

import type { ConfigStore } from '../control-plane/index.ts'
import { istioConfigOf } from '../control-plane/index.ts'
import {
  answerGlobal,
  type DnsServer,
  GLOBAL_ZONE,
  type StubDomain,
  serviceEntryNames,
  startDnsServer,
} from '../dns/index.ts'
import type {
  Cluster,
  ClusterRewriteFilter,
  IstioResource,
  IstioVersion,
  Namespace,
  ServiceAccount,
  ServicePort,
} from '../model/index.ts'
import { istioAtLeast, namespace, networkId, serviceAccount } from '../model/index.ts'
import type { NameTable, ProxyNode } from '../xds/index.ts'
import { searchPath } from '../xds/index.ts'
import type { ClusterInventory, Pod } from './inventory.ts'
import type { GatewayInit } from './pod-protocol.ts'
import type { PodHandle } from './pod-threads.ts'

const SYSTEM = namespace('istio-system')
const MTLS_PORT = 15443

const INGRESS_APP = 'istio-ingressgateway'
const EGRESS_APP = 'istio-egressgateway'

const gatewayPorts = (mtls: number): ServicePort[] => [
  { name: 'http2', port: 80, targetPort: 80, protocol: 'HTTP2' },
  { name: 'https', port: 443, targetPort: 443, protocol: 'HTTPS' },
  { name: 'tls', port: mtls, targetPort: mtls, protocol: 'TLS' },
]

/** Adds the install's Deployments and Services to a cluster's inventory. */
export function addGlobalInstall(
  c: Cluster,
  addPods: (ns: Namespace, deployment: string, app: string, sa: ServiceAccount, n: number) => void,
  addService: (ns: Namespace, name: string, ports: readonly ServicePort[], ip?: string) => void,
): void {
  const mg = c.multiclusterGateways
  if (!mg) return
  for (const [app, port, ip] of [
    [INGRESS_APP, mg.ingressGateway.port, undefined],
    [EGRESS_APP, MTLS_PORT, mg.egressGateway.clusterIP],
  ] as const) {
    addPods(SYSTEM, app, app, serviceAccount(`${app}-service-account`), 1)
    addService(SYSTEM, app, gatewayPorts(port), ip)
  }
  addPods(SYSTEM, 'istiocoredns', 'istiocoredns', serviceAccount('istiocoredns-service-account'), 1)
  addService(SYSTEM, 'istiocoredns', [
    { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
  ])
}

const meta = (name: string) => ({ name, namespace: SYSTEM })

const globalServer = (port: number) => ({
  port: { number: port, name: 'tls', protocol: 'TLS' },
  tls: { mode: 'AUTO_PASSTHROUGH' as const },
  hosts: ['*.global'],
})

/** The Gateways and DestinationRule the install creates in istio-system (preconfigured.yaml). */
export function globalInstallResources(c: Cluster, version: IstioVersion): IstioResource[] {
  const mg = c.multiclusterGateways
  if (!mg) return []
  return [
    {
      kind: 'Gateway',
      metadata: meta('istio-multicluster-ingressgateway'),
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [globalServer(mg.ingressGateway.port)],
      },
    },
    {
      kind: 'Gateway',
      metadata: meta('istio-multicluster-egressgateway'),
      spec: { selector: { istio: 'egressgateway' }, servers: [globalServer(MTLS_PORT)] },
    },
    {
      kind: 'DestinationRule',
      // Renamed in 1.7.
      metadata: meta(
        istioAtLeast(version, 7)
          ? 'istio-multicluster-ingressgateway'
          : 'istio-multicluster-destinationrule',
      ),
      spec: { host: '*.global', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    },
  ]
}

/** The EnvoyFilter inserting tcp_cluster_rewrite after sni_cluster on the ingress gateway. */
export function globalInstallFilters(c: Cluster): ClusterRewriteFilter[] {
  const mg = c.multiclusterGateways
  if (!mg) return []
  return [
    {
      kind: 'EnvoyFilter',
      metadata: meta('istio-multicluster-ingressgateway'),
      workloadSelector: { istio: 'ingressgateway' },
      portNumber: mg.ingressGateway.port,
      clusterPattern: '\\.global$',
      clusterReplacement: '.svc.cluster.local',
    },
  ]
}

/** What istiocoredns serves: the hosts of the cluster's ServiceEntries. */
export function globalNames(config: ConfigStore): NameTable {
  return serviceEntryNames(istioConfigOf(config.list()).serviceEntries)
}

/** Starts istiocoredns on its own port, answering from the cluster's ServiceEntries. */
export async function startIstiocoredns(config: ConfigStore): Promise<DnsServer> {
  return startDnsServer({ table: globalNames(config), answer: answerGlobal })
}

/** The cluster DNS's stub domain: `global` asked of istiocoredns. */
export const globalStub = (coredns: DnsServer): StubDomain => ({
  zone: GLOBAL_ZONE,
  server: coredns.udp,
})

const inGlobalZone = (name: string) => name.endsWith(`.${GLOBAL_ZONE}`) && !name.startsWith('*')

/** A pod's DNS view: the cluster's Services plus the `.global` names reached through the stub. */
export function podNames(kube: NameTable, global: NameTable): NameTable {
  const extra = [...global.records].filter(([name]) => inGlobalZone(name))
  return { records: new Map([...kube.records, ...extra]) }
}

/** `global.podDNSSearchNamespaces`: the search path the injector adds to every pod. */
export const globalSearchPath = (ns: Namespace): readonly string[] =>
  searchPath(ns, [GLOBAL_ZONE, `${ns}.${GLOBAL_ZONE}`])

/** A pod's DNS view: with istiocoredns, the `.global` names and the install's search path. */
export function podDnsView(
  c: { readonly names: NameTable; readonly config: ConfigStore; readonly istiocoredns?: unknown },
  ns: Namespace,
): { readonly names: NameTable; readonly search?: readonly string[] } {
  if (c.istiocoredns === undefined) return { names: c.names }
  return { names: podNames(c.names, globalNames(c.config)), search: globalSearchPath(ns) }
}

/** The install's two gateways as gateway pods: where they listen and what they see. */
export function globalGateways(
  c: Cluster,
  inventory: ClusterInventory,
  nodeFor: (pod: Pod) => ProxyNode,
): { pod: Pod; address: string; port: number; init: Omit<GatewayInit, 'seed'> }[] {
  const mg = c.multiclusterGateways
  if (!mg) return []
  const clusterIPOf = (app: string) =>
    inventory.services.find((s) => s.name === app && s.namespace === SYSTEM)?.clusterIP
  const out: { pod: Pod; address: string; port: number; init: Omit<GatewayInit, 'seed'> }[] = []
  const add = (app: string, istio: string, address: string | undefined, port: number) => {
    const pod = inventory.pods.find((p) => p.app === app)
    if (!pod || address === undefined) return
    const node = nodeFor(pod)
    out.push({
      pod,
      address,
      port,
      init: {
        kind: 'gateway',
        node: {
          ...node,
          labels: { ...node.labels, istio },
          // The egress gateway sees only network `external` (its REQUESTED_NETWORK_VIEW).
          ...(istio === 'egressgateway' ? { requestedNetworkView: [networkId('external')] } : {}),
        },
        publicAddresses: [address],
        port,
      },
    })
  }
  add(INGRESS_APP, 'ingressgateway', mg.ingressGateway.address, mg.ingressGateway.port)
  add(EGRESS_APP, 'egressgateway', clusterIPOf(EGRESS_APP), MTLS_PORT)
  return out
}

/**
 * Keeps istiocoredns and the pods' DNS views in step with the cluster's ServiceEntries (the
 * plugin re-reads them every 5 s; here every change is seen at once). Returns the unsubscribe.
 */
export function followServiceEntries(
  config: ConfigStore,
  coredns: DnsServer,
  kube: () => NameTable,
  sidecars: () => readonly PodHandle[],
): () => void {
  let last = JSON.stringify([...globalNames(config).records])
  return config.onChange(() => {
    const global = globalNames(config)
    const now = JSON.stringify([...global.records])
    if (now === last) return
    last = now
    coredns.setTable(global)
    const names = podNames(kube(), global)
    for (const h of sidecars()) h.setNames(names)
  })
}
