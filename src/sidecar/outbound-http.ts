// Outbound HTTP at the client sidecar: listener by original port, virtual host by Host header,
// cluster, per-request load balancing with Istio's default retries (connect-failure, 2 retries,
// previous hosts avoided), pooled mTLS upstream, then one access record.

import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Peer } from '../proxy/index.ts'
import { ConnectFailure, endpointKey } from '../proxy/index.ts'
import type { Cluster, LbEndpoint } from '../xds/index.ts'
import { count, type SidecarContext } from './context.ts'
import { forwardable, single } from './headers.ts'
import {
  clusterNotFound,
  type LocalReply,
  noHealthyUpstream,
  upstreamReset,
  upstreamTerminated,
} from './local-reply.ts'

/** Istio's default HTTP retry policy: 2 retries. */
const MAX_ATTEMPTS = 3

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

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
  const start = new Date()
  const t0 = performance.now()
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
    proxy: ctx.node.pod,
    namespace: ctx.node.namespace,
    cluster: ctx.node.cluster,
    direction: 'outbound' as const,
    startTime: start,
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
    if (!res.headersSent) {
      res.writeHead(reply.status, {
        'content-length': Buffer.byteLength(reply.body),
        'content-type': 'text/plain',
        date: new Date().toUTCString(),
        server: 'envoy',
      })
    }
    res.end(reply.body)
    ctx.onAccess({
      ...base,
      responseCode: reply.status,
      responseFlags: reply.flags,
      responseCodeDetails: reply.details,
      ...(reply.transportFailureReason
        ? { upstreamTransportFailureReason: reply.transportFailureReason }
        : {}),
      bytesSent: Buffer.byteLength(reply.body),
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
    const sent = performance.now()
    try {
      const headers = forwardable(req.headers)
      headers['x-request-id'] = requestId
      headers['x-forwarded-proto'] = 'http'
      headers['x-envoy-attempt-count'] = String(attempt)
      headers.host = authority
      const upstream = await up.pool.request({
        path: r.path,
        method: (req.method ?? 'GET') as 'GET',
        headers,
        body: body.length > 0 ? body : null,
      })
      const serviceTime = performance.now() - sent
      const out = forwardable(upstream.headers)
      out['x-envoy-upstream-service-time'] = String(Math.round(serviceTime))
      out.server = 'envoy'
      res.writeHead(upstream.statusCode, out)
      let sentBytes = 0
      try {
        for await (const chunk of upstream.body) {
          sentBytes += (chunk as Buffer).length
          if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
        }
        res.end()
      } catch {
        res.destroy()
      }
      done()
      count(ctx, `upstream_rq_${upstream.statusCode}`)
      ctx.onAccess({
        ...base,
        responseCode: upstream.statusCode,
        responseFlags: [],
        responseCodeDetails: 'via_upstream',
        bytesSent: sentBytes,
        durationMs: performance.now() - t0,
        upstreamServiceTimeMs: serviceTime,
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
