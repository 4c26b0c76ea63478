// Outbound HTTP at the client sidecar: listener by original port, virtual host by Host header,
// cluster, per-request load balancing with Istio's default retries (connect-failure, 2 retries,
// previous hosts avoided), pooled mTLS upstream, then one access record.

import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Peer } from '../proxy/index.ts'
import { ConnectFailure, endpointKey } from '../proxy/index.ts'
import type { Cluster, LbEndpoint } from '../xds/index.ts'
import { count, recordOrigin, type SidecarContext } from './context.ts'
import { forwardable, single } from './headers.ts'
import {
  clusterNotFound,
  type LocalReply,
  noHealthyUpstream,
  upstreamReset,
  upstreamTerminated,
} from './local-reply.ts'
import { forward, readBody, writeLocalReply } from './relay.ts'

/** Istio's default HTTP retry policy: 2 retries. */
const MAX_ATTEMPTS = 3

export interface OutboundRequest {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** Original destination: the Service ClusterIP (or other address) and port the app dialed. */
  readonly destination: Peer
  /** The app's end of the connection. */
  readonly downstream: Peer
  /** Path in origin form. */
  readonly path: string
}

export async function handleOutboundHttp(ctx: SidecarContext, r: OutboundRequest): Promise<void> {
  const { req, res } = r
  const t0 = performance.now()
  const origin = recordOrigin(ctx, 'outbound')
  const authority = req.headers.host ?? `${r.destination.ip}:${r.destination.port}`
  const requestId = single(req.headers['x-request-id']) ?? randomUUID()
  let body: Buffer
  try {
    body = await readBody(req)
  } catch {
    count(ctx, 'downstream_rq_rx_reset')
    return
  }
  const routing = ctx.routing()
  const listener = routing?.httpListener(r.destination.port)
  const vhost = listener ? routing?.virtualHost(listener.routeConfigName, authority) : undefined
  const passthrough = vhost === undefined
  const clusterName = passthrough ? 'PassthroughCluster' : vhost.cluster
  const cluster: Cluster | undefined = passthrough ? undefined : routing?.cluster(clusterName)

  const base = {
    ...origin,
    method: req.method ?? 'GET',
    path: r.path,
    protocol: `HTTP/${req.httpVersion}`,
    bytesReceived: body.length,
    userAgent: single(req.headers['user-agent']),
    requestId,
    authority,
    upstreamCluster: clusterName,
    downstreamLocalAddress: `${r.destination.ip}:${r.destination.port}`,
    downstreamRemoteAddress: `${r.downstream.ip}:${r.downstream.port}`,
    routeName: passthrough ? 'allow_any' : 'default',
  }
  const localReply = (reply: LocalReply, upstreamHost?: string) => {
    count(ctx, `upstream_rq_${reply.status}`)
    const bytesSent = writeLocalReply(res, reply, 'envoy')
    ctx.onAccess({
      ...base,
      responseCode: reply.status,
      responseFlags: reply.flags,
      responseCodeDetails: reply.details,
      ...(reply.transportFailureReason
        ? { upstreamTransportFailureReason: reply.transportFailureReason }
        : {}),
      bytesSent,
      durationMs: performance.now() - t0,
      ...(upstreamHost ? { upstreamHost } : {}),
    })
  }

  if (!passthrough && cluster === undefined) return localReply(clusterNotFound())
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
    const up = ctx.upstreams.forEndpoint(cluster, ep, timeoutMs)
    const done = lb && 'weight' in ep ? lb.begin(ep as LbEndpoint) : () => undefined
    try {
      const headers = forwardable(req.headers)
      headers['x-request-id'] = requestId
      headers['x-forwarded-proto'] = 'http'
      headers['x-envoy-attempt-count'] = String(attempt)
      headers.host = authority
      const method = req.method ?? 'GET'
      const sent = await forward(up, { path: r.path, method, headers, body }, res, 'envoy')
      done()
      count(ctx, `upstream_rq_${sent.status}`)
      ctx.onAccess({
        ...base,
        responseCode: sent.status,
        responseFlags: [],
        responseCodeDetails: 'via_upstream',
        bytesSent: sent.bytesSent,
        durationMs: performance.now() - t0,
        upstreamServiceTimeMs: sent.serviceTimeMs,
        upstreamHost: host,
        ...(up.lastLocal
          ? { upstreamLocalAddress: `${up.lastLocal.ip}:${up.lastLocal.port}` }
          : {}),
        ...(up.lastPeerIdentity ? { peerIdentity: up.lastPeerIdentity } : {}),
      })
      return
    } catch (err) {
      done()
      const failure = err instanceof ConnectFailure ? err : (err as { cause?: unknown }).cause
      if (failure instanceof ConnectFailure) {
        count(ctx, 'upstream_cx_connect_fail')
        lastFailure = failure
        continue
      }
      count(ctx, 'upstream_rq_reset')
      return localReply(upstreamTerminated(), host)
    }
  }
  const f = lastFailure ?? new ConnectFailure('remote connection failure')
  return localReply(upstreamReset(f.resetReason, f.transportFailureReason, true), lastHost)
}
