// Inbound at the server sidecar: one TLS listener per container port that requires a client
// certificate chained to the mesh root (STRICT mTLS), then forwards plaintext to the app in the
// pod: per request for HTTP ports (adding X-Forwarded-Client-Cert), as bytes for TCP ports.

import { createHash } from 'node:crypto'
import {
  createServer as createNetServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { ServerExchange } from '../proxy/index.ts'
import { headerValue, pipeBoth, serveHttp1, uriSans, writeHead } from '../proxy/index.ts'
import type { InboundListener } from '../xds/index.ts'
import { count, recordOrigin, type SidecarContext } from './context.ts'
import { endOf, httpRecord, type Outcome, type RequestSide } from './http-record.ts'
import { type LocalReply, upstreamReset } from './local-reply.ts'
import { PEER_METADATA, PEER_METADATA_ID, peerMetadata } from './peer-metadata.ts'
import { forward, type Relayed, writeLocalReply } from './relay.ts'

export interface InboundServer {
  readonly listener: InboundListener
  readonly server: Server
  close(): Promise<void>
}

interface PeerInfo {
  readonly identity?: string
  readonly xfcc?: string
  /** The client's virtual `ip:port`, once the fabric has resolved it. */
  remote?: string
}

// getPeerCertificate() decodes the whole certificate on every call: do it once per connection.
const peers = new WeakMap<TLSSocket, PeerInfo>()

function peerInfo(ctx: SidecarContext, socket: TLSSocket): PeerInfo {
  let info = peers.get(socket)
  if (info) return info
  const identity = uriSans(socket)[0]
  const raw = socket.getPeerCertificate()?.raw
  info =
    identity && raw
      ? {
          identity,
          xfcc: `By=${ctx.secret().spiffeId};Hash=${createHash('sha256').update(raw).digest('hex')};Subject="";URI=${identity}`,
        }
      : {}
  peers.set(socket, info)
  return info
}

/** Headers the inbound sidecar sets for the app, or takes away from it (metadata exchange). */
const REPLACED = new Set([
  'x-forwarded-client-cert',
  'x-forwarded-proto',
  'expect',
  PEER_METADATA_ID,
  PEER_METADATA,
])

async function forwardHttp(
  ctx: SidecarContext,
  l: InboundListener,
  appPort: number | undefined,
  ex: ServerExchange,
): Promise<void> {
  const t0 = performance.now()
  const socket = ex.socket as TLSSocket
  const info = peerInfo(ctx, socket)
  const headers = ex.head.headers
  const peerHeader = headerValue(headers, PEER_METADATA)
  const side: RequestSide = {
    direction: 'inbound',
    startTime: new Date(),
    t0,
    method: ex.head.method,
    path: ex.head.url,
    protocol: ex.head.versionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0',
    userAgent: headerValue(headers, 'user-agent'),
    requestId: headerValue(headers, 'x-request-id'),
    authority: headerValue(headers, 'host'),
    upstreamCluster: l.cluster,
    downstreamLocalAddress: listenerAddress(ctx, l),
    downstreamRemoteAddress: info.remote ?? remoteAddress(ctx, socket, info),
    requestedServerName: socket.servername || undefined,
    routeName: 'default',
    peerIdentity: info.identity,
    upstreamHost: listenerAddress(ctx, l),
    peerWorkload: peerMetadata(peerHeader),
    alpn: socket.alpnProtocol || undefined,
  }
  const head = writeHead(`${ex.head.method} ${ex.head.url} HTTP/1.1`, headers, {
    replace: REPLACED,
    add: info.xfcc
      ? ['x-forwarded-proto', 'https', 'x-forwarded-client-cert', info.xfcc]
      : ['x-forwarded-proto', 'https'],
    framing: ex.framing,
  })
  const emit = (o: Outcome) => ctx.onAccess(httpRecord(ctx, side, o))
  const failed = (reply: LocalReply) =>
    emit({
      status: reply.status,
      flags: reply.flags,
      details: reply.details,
      bytesReceived: ex.bodyBytes,
      bytesSent: writeLocalReply(ex, reply, 'istio-envoy'),
    })
  let relayed: Relayed
  try {
    if (appPort === undefined) throw new Error('no app listening')
    // A client that told who it is hears who answered.
    const rewrite = peerHeader === undefined ? ctx.mx.inbound : ctx.mx.inboundExchange
    relayed = await forward(ctx.upstreams.forApp(appPort), ex, head, rewrite)
  } catch {
    count(ctx, 'upstream_cx_connect_fail')
    return failed(
      upstreamReset('remote connection failure', 'delayed connect error: Connection refused', true),
    )
  }
  const end = endOf(ctx, ex, relayed)
  if ('reply' in end) return failed(end.reply)
  emit(end.outcome)
}

/** `podIP:port` of an inbound listener, made once per listener. */
const listenerAddresses = new WeakMap<InboundListener, string>()
function listenerAddress(ctx: SidecarContext, l: InboundListener): string {
  let a = listenerAddresses.get(l)
  if (a === undefined) {
    a = `${ctx.node.ip}:${l.port}`
    listenerAddresses.set(l, a)
  }
  return a
}

/** The client's virtual address; remembered once the fabric knows it. */
function remoteAddress(ctx: SidecarContext, socket: TLSSocket, info: PeerInfo): string {
  const peer = ctx.network.peerOf(socket)
  const text = `${peer.ip}:${peer.port}`
  if (peer.ip !== socket.remoteAddress) info.remote = text
  return text
}

/** A TCP port: the decrypted bytes go to the app as they are. */
function forwardTcp(
  ctx: SidecarContext,
  l: InboundListener,
  appPort: number | undefined,
  socket: TLSSocket,
): void {
  const t0 = performance.now()
  const origin = recordOrigin(ctx, 'inbound')
  const peer = ctx.network.peerOf(socket)
  const identity = uriSans(socket)[0]
  const record = (flags: string[], received: number, sent: number) =>
    ctx.onAccess({
      ...origin,
      responseCode: 0,
      responseFlags: flags,
      bytesReceived: received,
      bytesSent: sent,
      durationMs: performance.now() - t0,
      upstreamHost: `${ctx.node.ip}:${l.port}`,
      upstreamCluster: l.cluster,
      downstreamLocalAddress: `${ctx.node.ip}:${l.port}`,
      downstreamRemoteAddress: `${peer.ip}:${peer.port}`,
      requestedServerName: socket.servername || undefined,
      peerIdentity: identity,
      alpn: socket.alpnProtocol || undefined,
    })
  if (appPort === undefined) {
    socket.destroy()
    record(['UF'], 0, 0)
    return
  }
  let connected = false
  const app = netConnect({ host: '127.0.0.1', port: appPort, noDelay: true }, () => {
    connected = true
  })
  app.on('error', () => app.destroy())
  pipeBoth(socket, app).then(({ received, sent }) =>
    record(connected ? [] : ['UF'], received, sent),
  )
}

/** Server ALPN: HTTP chains settle on http/1.1, TCP chains on an Istio protocol. */
function alpnFor(protocol: InboundListener['protocol']) {
  return ({ protocols }: { protocols: string[] }): string | undefined =>
    protocol === 'HTTP' && protocols.includes('http/1.1')
      ? 'http/1.1'
      : (protocols.find((p) => p.startsWith('istio')) ?? protocols[0])
}

/** Starts the inbound listener for one container port; `appPort` is the app's real port. */
export async function startInbound(
  ctx: SidecarContext,
  l: InboundListener,
  appPort: number | undefined,
): Promise<InboundServer> {
  const secret = ctx.secret()
  const tls = createTlsServer({
    cert: secret.certChainPem,
    key: secret.privateKeyPem,
    ca: secret.rootCertPem,
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: ctx.handshakeTimeoutMs,
    minVersion: 'TLSv1.2',
    ALPNCallback: alpnFor(l.protocol),
  })
  const onRequest = (ex: ServerExchange) => {
    forwardHttp(ctx, l, appPort, ex).catch(() => ex.destroy())
  }
  const onProtocolError = () => count(ctx, 'downstream_cx_protocol_error')
  tls.on('tlsClientError', (_err, socket) => {
    count(ctx, 'ssl.connection_error')
    socket.destroy()
  })
  tls.on('secureConnection', (socket: TLSSocket) => {
    count(ctx, 'downstream_cx_total')
    socket.on('error', () => socket.destroy())
    if (l.protocol === 'HTTP') {
      serveHttp1(socket, onRequest, { onProtocolError })
      return
    }
    forwardTcp(ctx, l, appPort, socket)
  })
  // The raw listener hands connections to TLS so the fabric sees the real accepted socket.
  const open = new Set<Socket>()
  const raw = createNetServer({ noDelay: true }, (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
    tls.emit('connection', socket)
  })
  raw.on('error', () => count(ctx, 'listener_error'))
  await ctx.network.listen(raw, l.port)
  return {
    listener: l,
    server: raw,
    close: () =>
      new Promise<void>((resolve) => {
        raw.close(() => resolve())
        for (const s of open) s.destroy()
      }),
  }
}
