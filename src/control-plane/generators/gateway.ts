// Config for gateways (router proxies), from the Gateway resources whose selector matches the
// gateway's labels plus the implicit `cross-network-gateway` every east-west gateway serves
// (expose-services.yaml: 15443, TLS AUTO_PASSTHROUGH, hosts `*.local`):
// - AUTO_PASSTHROUGH: one exact-SNI chain per service port and per subset of the DestinationRules
//   this gateway's own control plane knows, to a TLS-less cluster named like the SNI (§2.4);
//   before 1.10 one chain per Gateway host (`*.global`) whose cluster is the SNI itself, maybe
//   rewritten by an EnvoyFilter, over SNI-named clusters of every mesh service (§2.5);
// - PASSTHROUGH: the tls routes of VirtualServices bound to that Gateway (expose-istiod.yaml),
//   matching `sniHosts`, to `outbound|<port>||<host>`;
// - a TCP server: the tcp route bound to it, for every connection on the port (how Istio 1.1's
//   charts exposed pilot on the ingress gateway).
// Endpoints are the pods of the gateway's own network only.

import type {
  Destination,
  Gateway,
  GatewayServer,
  ServicePort,
  Subset,
  VirtualService,
} from '../../model/index.ts'
import {
  clusterName,
  DEFAULT_ISTIO_VERSION,
  hostMatches,
  istioAtLeast,
  qualifyHost,
  serviceHost,
  sniName,
} from '../../model/index.ts'
import type {
  Cluster,
  ClusterLoadAssignment,
  ClusterRewrite,
  GatewayListener,
  ProxyNode,
  SniFilterChain,
} from '../../xds/index.ts'
import { ISTIO_MTLS_ALPNS } from '../../xds/index.ts'
import { entryEndpoints } from '../service-entries.ts'
import type { MeshService, MeshSnapshot } from '../snapshot.ts'
import {
  clusterVariants,
  destinationRuleFor,
  inSubset,
  lbPolicyOf,
  ruleRef,
} from './destination-rules.ts'
import { splitHorizon } from './endpoints.ts'

/** Istio's DefaultNetworkGatewayPort; the east-west gateway's AUTO_PASSTHROUGH listener. */
export const GATEWAY_PORT = 15443

/** A cluster the gateway forwards to, with how to find its endpoints. */
interface Upstream {
  readonly cluster: Cluster
  readonly service: MeshService
  readonly port: ServicePort
  /** The subset whose labels select the endpoints, if any. */
  readonly subset?: Subset
}

interface GatewayPlan {
  readonly listeners: GatewayListener[]
  readonly upstreams: Map<string, Upstream>
}

/** A Gateway server's host as written (`*.local`, `ns/host`), without its namespace part. */
const dnsPart = (h: string) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h)

function selects(gw: Gateway, node: ProxyNode): boolean {
  return Object.entries(gw.spec.selector).every(([k, v]) => node.labels[k] === v)
}

/** Whether a VirtualService binds to a Gateway (`name` in its namespace, or `namespace/name`). */
function bindsTo(vs: VirtualService, gw: Gateway): boolean {
  const { name, namespace } = gw.metadata
  return (vs.spec.gateways ?? []).some(
    (g) => g === `${namespace}/${name}` || (g === name && vs.metadata.namespace === namespace),
  )
}

const IMPLICIT: GatewayServer = {
  port: { number: GATEWAY_PORT, name: 'tls', protocol: 'TLS' },
  hosts: ['*.local'],
  tls: { mode: 'AUTO_PASSTHROUGH' },
}

const isMeshExternal = (s: MeshService) => s.entry?.location === 'MESH_EXTERNAL'

/** The tcp_cluster_rewrite an EnvoyFilter puts on this gateway's listener `port`, if any. */
function rewriteFor(node: ProxyNode, snap: MeshSnapshot, port: number): ClusterRewrite | undefined {
  const f = (snap.config.envoyFilters ?? []).find(
    (ef) =>
      ef.portNumber === port &&
      Object.entries(ef.workloadSelector).every(([k, v]) => node.labels[k] === v),
  )
  return f ? { pattern: f.clusterPattern, replacement: f.clusterReplacement } : undefined
}

function plan(node: ProxyNode, snap: MeshSnapshot): GatewayPlan {
  const chains = new Map<number, Map<string, SniFilterChain>>()
  const upstreams = new Map<string, Upstream>()
  const addChain = (port: number, chain: SniFilterChain) => {
    const byName = chains.get(port) ?? new Map<string, SniFilterChain>()
    if (!byName.has(chain.serverName)) byName.set(chain.serverName, chain)
    chains.set(port, byName)
  }
  const addUpstream = (
    name: string,
    s: MeshService,
    port: ServicePort,
    subset: string,
    rule = destinationRuleFor(snap, s.host, node.namespace, s.namespace),
  ) => {
    if (upstreams.has(name)) return
    const variant = clusterVariants(rule).find(([n]) => n === subset)
    upstreams.set(name, {
      cluster: {
        name,
        type: 'EDS',
        host: s.host,
        port: port.port,
        subset,
        protocol: 'TCP',
        lbPolicy: lbPolicyOf(rule, variant?.[1]),
        connectTimeoutMs: snap.settings.connectTimeoutMs,
        ...(rule ? { destinationRule: ruleRef(rule) } : {}),
      },
      service: s,
      port,
      ...(variant?.[1] ? { subset: variant[1] } : {}),
    })
  }

  /** SNI-named clusters for the TCP ports and subsets of the mesh services `covered` accepts. */
  const sniDnat = (covered: (s: MeshService) => boolean, onCluster?: (sni: string) => void) => {
    for (const s of snap.services) {
      if (isMeshExternal(s) || !covered(s)) continue
      const rule = destinationRuleFor(snap, s.host, node.namespace, s.namespace)
      for (const p of s.ports) {
        if (p.protocol === 'UDP') continue
        for (const [subset] of clusterVariants(rule)) {
          const sni = sniName({ direction: 'outbound', port: p.port, subset, host: s.host })
          onCluster?.(sni)
          addUpstream(sni, s, p, subset, rule)
        }
      }
    }
  }

  const autoPassthrough = (server: GatewayServer) => {
    const hosts = server.hosts.map(dnsPart)
    sniDnat(
      (s) => hosts.some((h) => hostMatches(h, s.host)),
      (sni) =>
        addChain(server.port.number, {
          serverName: sni,
          applicationProtocols: ISTIO_MTLS_ALPNS,
          cluster: sni,
        }),
    )
  }

  // Before 1.10 the chain matches the Gateway's hosts and sni_cluster picks the cluster, so every
  // service gets its SNI-named clusters (a rewrite may turn `.global` names into local ones).
  const legacyAutoPassthrough = (server: GatewayServer) => {
    const rewrite = rewriteFor(node, snap, server.port.number)
    for (const host of server.hosts.map(dnsPart)) {
      addChain(server.port.number, {
        serverName: host,
        applicationProtocols: [],
        cluster: '',
        sniCluster: rewrite ? { rewrite } : {},
      })
    }
    sniDnat(() => true)
  }
  const legacy = !istioAtLeast(snap.settings.istioVersion ?? DEFAULT_ISTIO_VERSION, 10)
  const serveAutoPassthrough = legacy ? legacyAutoPassthrough : autoPassthrough

  /** A route's first destination as a cluster of the gateway, with the chain names to reach it. */
  const forward = (
    vs: VirtualService,
    port: number,
    dest: Destination | undefined,
    serverNames: readonly string[],
  ) => {
    if (dest === undefined) return
    const host = serviceHost(qualifyHost(dest.host, vs.metadata.namespace))
    const s = snap.services.find((x) => x.host === host)
    const destPort = dest.port?.number ?? s?.ports[0]?.port
    const target = s?.ports.find((p) => p.port === destPort)
    if (s === undefined || destPort === undefined || target === undefined) return
    const subset = dest.subset ?? ''
    const name = clusterName({ direction: 'outbound', port: destPort, subset, host })
    for (const sni of serverNames)
      addChain(port, { serverName: sni, applicationProtocols: [], cluster: name })
    addUpstream(name, s, target, subset)
  }

  /** PASSTHROUGH: the tls routes bound to this Gateway, matched by SNI (expose-istiod.yaml). */
  const passthrough = (gw: Gateway, server: GatewayServer) => {
    for (const vs of snap.config.virtualServices) {
      if (!bindsTo(vs, gw)) continue
      for (const route of vs.spec.tls ?? []) {
        const names = route.match
          .filter((m) => m.port === undefined || m.port === server.port.number)
          .flatMap((m) => m.sniHosts)
        if (names.length > 0) forward(vs, server.port.number, route.route[0]?.destination, names)
      }
    }
  }

  /** A plain TCP server: the first tcp route bound to it takes every connection on its port. */
  const tcp = (gw: Gateway, server: GatewayServer) => {
    for (const vs of snap.config.virtualServices) {
      if (!bindsTo(vs, gw)) continue
      for (const route of vs.spec.tcp ?? []) {
        const matches = route.match ?? [{}]
        if (!matches.some((m) => m.port === undefined || m.port === server.port.number)) continue
        forward(vs, server.port.number, route.route[0]?.destination, ['*'])
      }
    }
  }

  // gen-eastwest-gateway.sh's gateway comes with expose-services.yaml; an ingress gateway does not.
  if (node.labels.istio === 'eastwestgateway') serveAutoPassthrough(IMPLICIT)
  for (const gw of snap.config.gateways) {
    if (!selects(gw, node)) continue
    for (const server of gw.spec.servers) {
      if (server.tls?.mode === 'AUTO_PASSTHROUGH') serveAutoPassthrough(server)
      else if (server.tls?.mode === 'PASSTHROUGH') passthrough(gw, server)
      else if (server.tls === undefined && server.port.protocol.toUpperCase() === 'TCP')
        tcp(gw, server)
    }
  }
  const listeners = [...chains]
    .sort((a, b) => a[0] - b[0])
    .map(([port, byName]) => ({
      kind: 'gateway' as const,
      name: `0.0.0.0_${port}`,
      port,
      filterChains: [...byName.values()],
    }))
  return { listeners, upstreams }
}

export function buildGatewayConfig(
  node: ProxyNode,
  snap: MeshSnapshot,
): { listeners: GatewayListener[]; clusters: Cluster[]; endpoints: ClusterLoadAssignment[] } {
  const { listeners, upstreams } = plan(node, snap)
  const own = {
    network: node.network,
    requestedNetworkView: node.requestedNetworkView ?? [node.network],
  }
  const endpoints = [...upstreams.values()].map((u) => {
    if (u.service.entry) {
      return {
        clusterName: u.cluster.name,
        endpoints: entryEndpoints(node, snap, u.service, u.port, u.subset),
      }
    }
    const records = (snap.endpoints.get(u.service.host) ?? []).filter((e) => inSubset(e, u.subset))
    return {
      clusterName: u.cluster.name,
      // A gateway only forwards to mTLS-capable pods of its own network (§2.4).
      endpoints: splitHorizon(own, records, u.port.targetPort, snap.gateways).filter(
        (e) => e.tlsMode === 'istio' && e.kind === 'pod',
      ),
    }
  })
  return { listeners, clusters: [...upstreams.values()].map((u) => u.cluster), endpoints }
}
