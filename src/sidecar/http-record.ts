// The access record of one HTTP exchange at a sidecar, built as one object of one shape: what is
// known when the request arrives (the request side) plus how it ended (the outcome).

import type { AccessRecord, ServerExchange, WorkloadMetadata } from '../proxy/index.ts'
import { count, type SidecarContext } from './context.ts'
import { type LocalReply, upstreamProtocolError, upstreamTerminated } from './local-reply.ts'
import { peerMetadata } from './peer-metadata.ts'
import type { Relayed } from './relay.ts'

export interface RequestSide {
  readonly direction: 'outbound' | 'inbound'
  readonly startTime: Date
  /** performance.now() at the start, for the duration. */
  readonly t0: number
  readonly method: string
  readonly path: string
  readonly protocol: string
  readonly userAgent: string | undefined
  readonly requestId: string | undefined
  readonly authority: string | undefined
  readonly upstreamCluster: string
  readonly downstreamLocalAddress: string
  readonly downstreamRemoteAddress: string
  readonly requestedServerName: string | undefined
  readonly routeName: string
  /** Inbound: the client's SPIFFE id. */
  readonly peerIdentity: string | undefined
  /** Inbound: the app's address; outbound sets it per attempt. */
  readonly upstreamHost: string | undefined
  /** Inbound: the client's workload, from its metadata exchange header. */
  readonly peerWorkload: WorkloadMetadata | undefined
  /** Inbound: the ALPN protocol the downstream connection negotiated. */
  readonly alpn: string | undefined
}

export interface Outcome {
  readonly status: number
  readonly flags: readonly string[]
  readonly details: string
  readonly bytesReceived: number
  readonly bytesSent: number
  readonly serviceTimeMs?: number | undefined
  readonly upstreamHost?: string | undefined
  readonly upstreamLocalAddress?: string | undefined
  readonly peerIdentity?: string | undefined
  /** Outbound: the upstream connection's SNI and negotiated ALPN. */
  readonly upstreamSni?: string | undefined
  readonly alpn?: string | undefined
  readonly transportFailureReason?: string | undefined
  /** Outbound: the server's workload, from its metadata exchange header. */
  readonly peerWorkload?: WorkloadMetadata | undefined
}

export function httpRecord(ctx: SidecarContext, r: RequestSide, o: Outcome): AccessRecord {
  const node = ctx.node
  return {
    proxy: node.pod,
    namespace: node.namespace,
    cluster: node.cluster,
    direction: r.direction,
    startTime: r.startTime,
    method: r.method,
    path: r.path,
    protocol: r.protocol,
    responseCode: o.status,
    responseFlags: o.flags,
    responseCodeDetails: o.details,
    upstreamTransportFailureReason: o.transportFailureReason,
    bytesReceived: o.bytesReceived,
    bytesSent: o.bytesSent,
    durationMs: performance.now() - r.t0,
    upstreamServiceTimeMs: o.serviceTimeMs,
    userAgent: r.userAgent,
    requestId: r.requestId,
    authority: r.authority,
    upstreamHost: o.upstreamHost ?? r.upstreamHost,
    upstreamCluster: r.upstreamCluster,
    upstreamLocalAddress: o.upstreamLocalAddress,
    downstreamLocalAddress: r.downstreamLocalAddress,
    downstreamRemoteAddress: r.downstreamRemoteAddress,
    requestedServerName: r.requestedServerName,
    routeName: r.routeName,
    peerIdentity: o.peerIdentity ?? r.peerIdentity,
    alpn: o.alpn ?? r.alpn,
    upstreamSni: o.upstreamSni,
    workload: ctx.mx.self,
    peerWorkload: o.peerWorkload ?? r.peerWorkload,
  }
}

const NO_FLAGS: readonly string[] = []
const CUT_SHORT: readonly string[] = ['UC']
const DOWNSTREAM_RESET: readonly string[] = ['DC']

/**
 * How a relayed exchange ended, for its record: the outcome to log, or the local reply to send
 * first (the upstream reset before answering). Counts the reset stats.
 */
export function endOf(
  ctx: SidecarContext,
  ex: ServerExchange,
  relayed: Relayed,
  upstreamHost?: string,
): { readonly outcome: Outcome } | { readonly reply: LocalReply } {
  const r = relayed.outcome
  if (r.kind === 'reset') {
    count(ctx, 'upstream_rq_reset')
    return { reply: r.reason === 'protocol error' ? upstreamProtocolError() : upstreamTerminated() }
  }
  if (r.kind === 'downstream-reset') {
    count(ctx, 'downstream_rq_rx_reset')
    const outcome: Outcome = {
      status: 0,
      flags: DOWNSTREAM_RESET,
      details: 'downstream_remote_disconnect',
      bytesReceived: ex.bodyBytes,
      bytesSent: 0,
      upstreamHost,
    }
    return { outcome }
  }
  const outcome: Outcome = {
    status: r.status,
    flags: r.complete ? NO_FLAGS : CUT_SHORT,
    details: 'via_upstream',
    bytesReceived: ex.bodyBytes,
    bytesSent: r.bytesSent,
    serviceTimeMs: r.serviceTimeMs,
    upstreamHost,
    upstreamLocalAddress: relayed.localAddress,
    peerIdentity: relayed.peerIdentity,
    upstreamSni: relayed.sni,
    alpn: relayed.alpn,
    peerWorkload: peerMetadata(r.taken),
  }
  return { outcome }
}
