// Outbound TCP at the client sidecar: the listener for the original VIP:port picks a cluster, the
// load balancer picks one endpoint per connection, and bytes flow over Istio mTLS (or straight
// through to the original destination when no listener matches: PassthroughCluster).

import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Peer } from '../proxy/index.ts'
import { ConnectFailure, connectMtls, dialUpstream, endpointKey, pipeBoth } from '../proxy/index.ts'
import { ALPN_TCP } from '../xds/index.ts'
import { count, recordOrigin, type SidecarContext } from './context.ts'

export async function handleOutboundTcp(
  ctx: SidecarContext,
  socket: Duplex,
  destination: Peer,
  downstream: Peer,
): Promise<void> {
  const t0 = performance.now()
  const routing = ctx.routing()
  const listener = routing?.tcpListener(destination.ip, destination.port)
  const cluster = listener ? routing?.cluster(listener.cluster) : undefined
  const clusterName = listener?.cluster ?? 'PassthroughCluster'
  const base = {
    ...recordOrigin(ctx, 'outbound'),
    responseCode: 0,
    upstreamCluster: clusterName,
    downstreamLocalAddress: `${destination.ip}:${destination.port}`,
    downstreamRemoteAddress: `${downstream.ip}:${downstream.port}`,
  }
  const fail = (flags: string[], upstreamHost?: string, transportFailureReason?: string) => {
    socket.destroy()
    ctx.onAccess({
      ...base,
      responseFlags: flags,
      bytesReceived: 0,
      bytesSent: 0,
      durationMs: performance.now() - t0,
      ...(upstreamHost ? { upstreamHost } : {}),
      ...(transportFailureReason ? { upstreamTransportFailureReason: transportFailureReason } : {}),
    })
  }
  if (listener && !cluster) return fail(['NC'])
  const lb = cluster ? routing?.loadBalancer(cluster.name) : undefined
  const ep = cluster ? lb?.pick() : { address: destination.ip, port: destination.port }
  if (!ep) return fail(['UH'])
  const host = endpointKey(ep)
  const timeoutMs = cluster?.connectTimeoutMs ?? ctx.connectTimeoutMs
  let conn: {
    readonly socket: Socket
    readonly local: Peer
    readonly peerIdentity?: string
    readonly sni?: string
    readonly alpn?: string
  }
  try {
    conn = cluster?.tls
      ? await connectMtls(ctx.network, ep, cluster.tls, ctx.secret(), ALPN_TCP, timeoutMs)
      : await dialUpstream(ctx.network, ep, timeoutMs)
  } catch (err) {
    count(ctx, 'upstream_cx_connect_fail')
    if (lb && 'weight' in ep) lb.report(ep, 'connect-failure')
    const tfr =
      err instanceof ConnectFailure ? err.transportFailureReason?.replaceAll(' ', '_') : undefined
    return fail(['UF', 'URX'], host, tfr)
  }
  const done = lb && 'weight' in ep ? lb.begin(ep) : () => undefined
  const { received, sent } = await pipeBoth(socket, conn.socket)
  done()
  ctx.onAccess({
    ...base,
    responseFlags: [],
    bytesReceived: received,
    bytesSent: sent,
    durationMs: performance.now() - t0,
    upstreamHost: host,
    upstreamLocalAddress: `${conn.local.ip}:${conn.local.port}`,
    ...(conn.peerIdentity ? { peerIdentity: conn.peerIdentity } : {}),
    ...(conn.sni ? { upstreamSni: conn.sni } : {}),
    ...(conn.alpn ? { alpn: conn.alpn } : {}),
  })
}
