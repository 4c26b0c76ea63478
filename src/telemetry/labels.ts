// Istio's standard metric labels for one access record, as Istio's stats filter sets them
// (istio/proxy source/extensions/filters/http/istio_stats): a client sidecar reports as `source`
// (its own workload from node metadata, the server's from metadata exchange), a server sidecar
// as `destination` (the other way round); what is not known is `unknown`.

import type { AccessRecord, WorkloadMetadata } from '../proxy/index.ts'
import { joinFlags } from '../proxy/index.ts'

/** Labels of the HTTP metrics, in the order Istio's filter adds them. */
export const HTTP_LABELS = [
  'reporter',
  'source_workload',
  'source_canonical_service',
  'source_canonical_revision',
  'source_workload_namespace',
  'source_principal',
  'source_app',
  'source_version',
  'source_cluster',
  'destination_workload',
  'destination_workload_namespace',
  'destination_principal',
  'destination_app',
  'destination_version',
  'destination_service',
  'destination_canonical_service',
  'destination_canonical_revision',
  'destination_service_name',
  'destination_service_namespace',
  'destination_cluster',
  'request_protocol',
  'response_code',
  'grpc_response_status',
  'response_flags',
  'connection_security_policy',
] as const

export type HttpLabel = (typeof HTTP_LABELS)[number]
/** TCP metrics carry no response code or gRPC status. */
export type TcpLabel = Exclude<HttpLabel, 'response_code' | 'grpc_response_status'>
export type Labels<L extends string> = Readonly<Record<L, string>>

const UNKNOWN = 'unknown'
const known = (v: string | undefined): string => (v ? v : UNKNOWN)

/** Clusters Envoy names for themselves, which Istio reports as the service name. */
const SPECIAL_CLUSTERS: ReadonlySet<string> = new Set([
  'BlackHoleCluster',
  'PassthroughCluster',
  'InboundPassthroughCluster',
  'InboundPassthroughClusterIpv4',
  'InboundPassthroughClusterIpv6',
])

interface Service {
  readonly host: string
  readonly name: string
}

/** A Kubernetes Service's name is the host's first label; other hosts (ServiceEntry) are their own. */
function service(host: string): Service {
  const dot = host.indexOf('.')
  return { host, name: dot > 0 && host.includes('.svc.') ? host.slice(0, dot) : host }
}

/** Services behind cluster names and SNIs, parsed once (there are as many as the config has). */
const services = new Map<string, Service | undefined>()

function cached(key: string, parse: (key: string) => Service | undefined): Service | undefined {
  const hit = services.get(key)
  if (hit !== undefined || services.has(key)) return hit
  if (services.size >= 4096) services.clear()
  const s = parse(key)
  services.set(key, s)
  return s
}

/** `outbound|5000|v1|helloworld.sample.svc.cluster.local` → that host. */
const ofCluster = (name: string) =>
  cached(name, (n) => {
    const parts = n.split('|')
    return parts.length === 4 && parts[0] === 'outbound' && parts[3] ? service(parts[3]) : undefined
  })

/** `outbound_.5000_._.helloworld.sample.svc.cluster.local` (the SNI a client sidecar sends). */
const ofSni = (sni: string) =>
  cached(`sni:${sni}`, (key) => {
    const m = /^sni:outbound_\.\d+_\.[^.]*_\.(.+)$/.exec(key)
    return m?.[1] ? service(m[1]) : undefined
  })

/**
 * destination_service and destination_service_name as the filter finds them: the Host header
 * (clients only), overridden by the route's or cluster's own name, or the cluster's service.
 */
function destinationService(r: AccessRecord, client: boolean, http: boolean): Service {
  let host = client && http ? (r.authority ?? '') : ''
  let name = host
  if (r.routeName === 'block_all') name = 'BlackHoleCluster'
  else if (r.routeName === 'allow_any') name = 'PassthroughCluster'
  else if (r.upstreamCluster && SPECIAL_CLUSTERS.has(r.upstreamCluster)) name = r.upstreamCluster
  else {
    // A server sidecar's inbound cluster lists its services; the SNI the client sent names it here.
    const s = client
      ? r.upstreamCluster
        ? ofCluster(r.upstreamCluster)
        : undefined
      : r.requestedServerName
        ? ofSni(r.requestedServerName)
        : undefined
    if (s) {
      host = s.host
      name = s.name
    }
  }
  return { host, name }
}

/** The namespace in a SPIFFE id (`.../ns/<namespace>/sa/...`). */
function namespaceOf(principal: string | undefined): string {
  if (!principal) return ''
  const i = principal.indexOf('/ns/')
  if (i < 0) return ''
  const end = principal.indexOf('/', i + 4)
  return principal.slice(i + 4, end < 0 ? undefined : end)
}

interface Side {
  readonly workload: string
  readonly canonicalService: string
  readonly canonicalRevision: string
  readonly namespace: string
  readonly principal: string
  readonly app: string
  readonly version: string
  readonly cluster: string
}

function side(m: WorkloadMetadata | undefined, namespace: string, principal: string): Side {
  return {
    workload: known(m?.workload),
    canonicalService: known(m?.canonicalService),
    canonicalRevision: m?.canonicalRevision || 'latest',
    namespace: known(namespace),
    principal: known(principal),
    app: known(m?.app),
    version: known(m?.version),
    cluster: known(m?.cluster),
  }
}

/** The labels every Istio metric of a record shares (all but response code and gRPC status). */
function commonLabels(r: AccessRecord, protocol: 'http' | 'tcp'): Labels<TcpLabel> | undefined {
  if (r.direction === 'gateway') return undefined
  const local = r.workload
  const peer = r.peerWorkload
  // Istio takes the peer's namespace from its certificate first, then from its metadata.
  const peerNamespace = namespaceOf(r.peerIdentity) || peer?.namespace || ''
  const client = r.direction === 'outbound'
  const svc = destinationService(r, client, protocol === 'http')
  let src: Side
  let dst: Side
  let serviceNamespace: string
  let security: string
  if (client) {
    src = side(local, local?.namespace ?? '', r.peerIdentity ? (local?.principal ?? '') : '')
    dst = side(peer, peerNamespace, r.peerIdentity ?? '')
    serviceNamespace = known(peerNamespace)
    // A client cannot tell the server's policy (the docs: `unknown` when the source reports).
    security = 'unknown'
  } else {
    src = side(peer, peerNamespace, r.peerIdentity ?? '')
    dst = side(local, local?.namespace ?? '', local?.principal ?? '')
    serviceNamespace = known(local?.namespace)
    security = r.peerIdentity && local?.principal ? 'mutual_tls' : 'none'
  }
  // A server with no service for the request reports its canonical service instead.
  const fallback = client ? UNKNOWN : dst.canonicalService
  return {
    reporter: client ? 'source' : 'destination',
    source_workload: src.workload,
    source_canonical_service: src.canonicalService,
    source_canonical_revision: src.canonicalRevision,
    source_workload_namespace: src.namespace,
    source_principal: src.principal,
    source_app: src.app,
    source_version: src.version,
    source_cluster: src.cluster,
    destination_workload: dst.workload,
    destination_workload_namespace: dst.namespace,
    destination_principal: dst.principal,
    destination_app: dst.app,
    destination_version: dst.version,
    destination_service: svc.host || fallback,
    destination_canonical_service: dst.canonicalService,
    destination_canonical_revision: dst.canonicalRevision,
    destination_service_name: svc.name || fallback,
    destination_service_namespace: serviceNamespace,
    destination_cluster: dst.cluster,
    request_protocol: protocol,
    response_flags: joinFlags(r.responseFlags),
    connection_security_policy: security,
  }
}

/** Labels of istio_requests_total and the request histograms; undefined for TCP and gateways. */
export function httpLabels(r: AccessRecord): Labels<HttpLabel> | undefined {
  if (r.method === undefined) return undefined
  const common = commonLabels(r, 'http')
  if (common === undefined) return undefined
  const { request_protocol, response_flags, connection_security_policy, ...peers } = common
  return {
    ...peers,
    request_protocol,
    response_code: String(r.responseCode),
    grpc_response_status: '',
    response_flags,
    connection_security_policy,
  }
}

/** Labels of the istio_tcp_* metrics; undefined for HTTP and gateways. */
export function tcpLabels(r: AccessRecord): Labels<TcpLabel> | undefined {
  if (r.method !== undefined) return undefined
  return commonLabels(r, 'tcp')
}
