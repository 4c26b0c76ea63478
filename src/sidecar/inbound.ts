// Inbound at the server sidecar: one TLS listener per container port that requires a client
// certificate chained to the mesh root (STRICT mTLS), then forwards plaintext to the app in the
// pod: per request for HTTP ports (adding X-Forwarded-Client-Cert), as bytes for TCP ports.

import { createHash } from 'node:crypto'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import {
  createServer as createNetServer,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { pipeBoth, uriSans } from '../proxy/index.ts'
import type { InboundListener } from '../xds/index.ts'
import { count, recordOrigin, type SidecarContext } from './context.ts'
import { forwardable, single } from './headers.ts'
import { upstreamReset } from './local-reply.ts'
import { forward, readBody, writeLocalReply } from './relay.ts'

export interface InboundServer {
  readonly listener: InboundListener
  readonly server: Server
  close(): Promise<void>
}

interface PeerInfo {
  readonly identity?: string
  readonly xfcc?: string
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

async function forwardHttp(
  ctx: SidecarContext,
  l: InboundListener,
  appPort: number | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const t0 = performance.now()
  const origin = recordOrigin(ctx, 'inbound')
  const socket = req.socket as TLSSocket
  const peer = ctx.network.peerOf(socket)
  const { identity: peerIdentity, xfcc } = peerInfo(ctx, socket)
  let body: Buffer
  try {
    body = await readBody(req)
  } catch {
    count(ctx, 'downstream_rq_rx_reset')
    return
  }
  const base = {
    ...origin,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    protocol: `HTTP/${req.httpVersion}`,
    bytesReceived: body.length,
    userAgent: single(req.headers['user-agent']),
    requestId: single(req.headers['x-request-id']),
    authority: req.headers.host,
    upstreamHost: `${ctx.node.ip}:${l.port}`,
    upstreamCluster: l.cluster,
    downstreamLocalAddress: `${ctx.node.ip}:${l.port}`,
    downstreamRemoteAddress: `${peer.ip}:${peer.port}`,
    requestedServerName: socket.servername || undefined,
    routeName: 'default',
    ...(peerIdentity ? { peerIdentity } : {}),
  }
  const up = appPort === undefined ? undefined : ctx.upstreams.forApp(appPort)
  try {
    if (!up) throw new Error('no app listening')
    const headers = forwardable(req.headers)
    if (xfcc) headers['x-forwarded-client-cert'] = xfcc
    const method = req.method ?? 'GET'
    const sent = await forward(
      up,
      { path: req.url ?? '/', method, headers, body },
      res,
      'istio-envoy',
    )
    ctx.onAccess({
      ...base,
      responseCode: sent.status,
      responseFlags: [],
      responseCodeDetails: 'via_upstream',
      bytesSent: sent.bytesSent,
      durationMs: performance.now() - t0,
      upstreamServiceTimeMs: sent.serviceTimeMs,
      ...(up.lastLocal ? { upstreamLocalAddress: `${up.lastLocal.ip}:${up.lastLocal.port}` } : {}),
    })
  } catch {
    count(ctx, 'upstream_cx_connect_fail')
    const reply = upstreamReset(
      'remote connection failure',
      'delayed_connect_error:_Connection_refused',
      true,
    )
    ctx.onAccess({
      ...base,
      responseCode: reply.status,
      responseFlags: reply.flags,
      responseCodeDetails: reply.details,
      bytesSent: writeLocalReply(res, reply, 'istio-envoy'),
      durationMs: performance.now() - t0,
    })
  }
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
    minVersion: 'TLSv1.2',
    ALPNCallback: alpnFor(l.protocol),
  })
  const http = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    forwardHttp(ctx, l, appPort, req, res).catch(() => res.destroy())
  })
  http.on('clientError', (_err, socket) => {
    count(ctx, 'downstream_cx_protocol_error')
    socket.destroy()
  })
  tls.on('tlsClientError', (_err, socket) => {
    count(ctx, 'ssl.connection_error')
    socket.destroy()
  })
  tls.on('secureConnection', (socket: TLSSocket) => {
    count(ctx, 'downstream_cx_total')
    socket.on('error', () => socket.destroy())
    if (l.protocol === 'HTTP') {
      http.emit('connection', socket)
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
