// Outbound HTTP at the client sidecar: listener by original port, virtual host by Host header,
// first matching route (404 NR when none), its action (a cluster, a weighted pick, or a direct
// response), per-request load balancing with Istio's default retries (connect-failure, 2 retries,
// previous hosts avoided, all within the picked cluster), pooled mTLS upstream, then one record.

import { randomUUID } from 'node:crypto'
import type { Peer, ServerExchange } from '../proxy/index.ts'
import { ConnectFailure, endpointKey, headerValue, writeHead } from '../proxy/index.ts'
import type { Cluster, LbEndpoint } from '../xds/index.ts'
import { count, type SidecarContext } from './context.ts'
import { endOf, httpRecord, type RequestSide } from './http-record.ts'
import {
  clusterNotFound,
  directResponse,
  type LocalReply,
  noHealthyUpstream,
  routeNotFound,
  upstreamReset,
  upstreamTerminated,
} from './local-reply.ts'
import { PEER_METADATA, PEER_METADATA_ID } from './peer-metadata.ts'
import { forward, writeLocalReply } from './relay.ts'
import { pickWeighted } from './route-match.ts'
import type { RouteSelection } from './routing.ts'

/** `upstream_rq_<code>`, made once per status code. */
const statusStats = new Map<number, string>()
function statusStat(status: number): string {
  let name = statusStats.get(status)
  if (name === undefined) {
    name = `upstream_rq_${status}`
    statusStats.set(status, name)
  }
  return name
}

/** Istio's default HTTP retry policy: 2 retries. */
const MAX_ATTEMPTS = 3

/** Headers the sidecar sets on every request it sends upstream (an app's own are dropped). */
const REPLACED = new Set([
  'host',
  'x-request-id',
  'x-forwarded-proto',
  'x-envoy-attempt-count',
  'expect',
  PEER_METADATA_ID,
  PEER_METADATA,
])

export interface OutboundRequest {
  readonly ex: ServerExchange
  /** Original destination: the Service ClusterIP (or other address) and port the app dialed. */
  readonly destination: Peer
  /** The same, as `ip:port` text for the access log. */
  readonly destinationAddress: string
  /** The app's end of the connection, as `ip:port`. */
  readonly downstreamAddress: string
  /** Path in origin form. */
  readonly path: string
  /** Host header value (an absolute-form target's authority wins over the header). */
  readonly authority: string
}

/** The cluster a selected route sends this request to ('' none: a weighted route of weight 0). */
function clusterOf(s: RouteSelection | undefined, ctx: SidecarContext): string | undefined {
  const action = s?.route?.action
  if (action === undefined || action.kind === 'direct') return undefined
  if (action.kind === 'cluster') return action.cluster
  return pickWeighted(action.clusters, s?.totalWeight ?? 0, ctx.random)
}

export async function handleOutboundHttp(ctx: SidecarContext, r: OutboundRequest): Promise<void> {
  const { ex } = r
  const t0 = performance.now()
  const authority = r.authority
  const headers = ex.head.headers
  const requestId = headerValue(headers, 'x-request-id') ?? randomUUID()
  const routing = ctx.routing()
  const listener = routing?.httpListener(r.destination.port)
  const selected = listener
    ? routing?.route(listener.routeConfigName, authority, r.path, ex.head.method, headers)
    : undefined
  const passthrough = selected === undefined
  const route = selected?.route
  const action = route?.action
  const clusterName = passthrough ? 'PassthroughCluster' : (clusterOf(selected, ctx) ?? '')
  const cluster: Cluster | undefined =
    clusterName === '' || passthrough ? undefined : routing?.cluster(clusterName)

  const side: RequestSide = {
    direction: 'outbound',
    startTime: new Date(),
    t0,
    method: ex.head.method,
    path: r.path,
    protocol: ex.head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0',
    userAgent: headerValue(headers, 'user-agent'),
    requestId,
    authority,
    // Envoy logs a cluster only once it has one: not for NR, NC or a direct response.
    upstreamCluster: passthrough || cluster !== undefined ? clusterName : '',
    downstreamLocalAddress: r.destinationAddress,
    downstreamRemoteAddress: r.downstreamAddress,
    requestedServerName: undefined,
    routeName: passthrough ? 'allow_any' : (route?.name ?? ''),
    peerIdentity: undefined,
    upstreamHost: undefined,
    peerWorkload: undefined,
    alpn: undefined,
  }
  const localReply = (
    reply: LocalReply,
    upstreamHost?: string,
    stat = statusStat(reply.status),
  ) => {
    count(ctx, stat)
    const bytesSent = writeLocalReply(ex, reply, 'envoy')
    ctx.onAccess(
      httpRecord(ctx, side, {
        status: reply.status,
        flags: reply.flags,
        details: reply.details,
        bytesReceived: ex.bodyBytes,
        bytesSent,
        upstreamHost,
        transportFailureReason: reply.transportFailureReason,
      }),
    )
  }

  if (!passthrough) {
    if (action === undefined) return localReply(routeNotFound(), undefined, 'no_route')
    if (action.kind === 'direct') {
      return localReply(directResponse(action.status, action.body), undefined, 'rq_direct_response')
    }
    if (cluster === undefined) return localReply(clusterNotFound(), undefined, 'no_cluster')
  }
  const lb = passthrough ? undefined : routing?.loadBalancer(clusterName)
  const tried = new Set<string>()
  let lastFailure: ConnectFailure | undefined
  let lastHost: string | undefined
  const timeoutMs = cluster?.connectTimeoutMs ?? ctx.connectTimeoutMs
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const ep: Pick<LbEndpoint, 'address' | 'port'> | undefined = passthrough
      ? { address: r.destination.ip, port: r.destination.port }
      : lb?.pick(tried)
    if (ep === undefined) return localReply(noHealthyUpstream())
    const host = endpointKey(ep)
    lastHost = host
    tried.add(host)
    const pool = ctx.upstreams.forEndpoint(cluster, ep, timeoutMs)
    const done = lb && 'weight' in ep ? lb.begin(ep as LbEndpoint) : () => undefined
    const add = [
      'host',
      authority,
      'x-request-id',
      requestId,
      'x-forwarded-proto',
      'http',
      'x-envoy-attempt-count',
      String(attempt),
    ]
    // Metadata exchange goes to mesh clusters, not to PassthroughCluster's outside world.
    if (!passthrough) add.push(...ctx.mx.headers)
    const head = writeHead(`${ex.head.method} ${r.path} HTTP/1.1`, headers, {
      replace: REPLACED,
      add,
      framing: ex.framing,
    })
    let relayed: Awaited<ReturnType<typeof forward>>
    try {
      relayed = await forward(pool, ex, head, ctx.mx.outbound)
    } catch (err) {
      done()
      if (err instanceof ConnectFailure) {
        count(ctx, 'upstream_cx_connect_fail')
        if (lb && 'weight' in ep) lb.report(ep as LbEndpoint, 'connect-failure')
        lastFailure = err
        continue
      }
      count(ctx, 'upstream_rq_reset')
      return localReply(upstreamTerminated(), host)
    }
    done()
    const end = endOf(ctx, ex, relayed, host)
    if (lb && 'weight' in ep) lb.report(ep as LbEndpoint, 'reply' in end ? 503 : end.outcome.status)
    if ('reply' in end) return localReply(end.reply, host)
    if (end.outcome.status > 0) count(ctx, statusStat(end.outcome.status))
    ctx.onAccess(httpRecord(ctx, side, end.outcome))
    return
  }
  const f = lastFailure ?? new ConnectFailure('remote connection failure')
  return localReply(upstreamReset(f.resetReason, f.transportFailureReason, true), lastHost)
}
