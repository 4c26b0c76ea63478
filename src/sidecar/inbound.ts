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
import { count, type SidecarContext } from './context.ts'
import { forwardable, single } from './headers.ts'
import { upstreamReset } from './local-reply.ts'

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
  const start = new Date()
  const t0 = performance.now()
  const socket = req.socket as TLSSocket
  const peer = ctx.network.peerOf(socket)
  const { identity: peerIdentity, xfcc } = peerInfo(ctx, socket)
  const chunks: Buffer[] = []
  try {
    for await (const c of req) chunks.push(c as Buffer)
  } catch {
    count(ctx, 'downstream_rq_rx_reset')
    return
  }
  const body = Buffer.concat(chunks)
  const base = {
    proxy: ctx.node.pod,
    namespace: ctx.node.namespace,
    cluster: ctx.node.cluster,
    direction: 'inbound' as const,
    startTime: start,
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
  const sent = performance.now()
  try {
    if (!up) throw new Error('no app listening')
    const headers = forwardable(req.headers)
    if (xfcc) headers['x-forwarded-client-cert'] = xfcc
    const upstream = await up.pool.request({
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as 'GET',
      headers,
      body: body.length > 0 ? body : null,
    })
    const serviceTime = performance.now() - sent
    const out = forwardable(upstream.headers)
    out['x-envoy-upstream-service-time'] = String(Math.round(serviceTime))
    out.server = 'istio-envoy'
    res.writeHead(upstream.statusCode, out)
    let bytes = 0
    try {
      for await (const chunk of upstream.body) {
        bytes += (chunk as Buffer).length
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    } catch {
      res.destroy()
    }
    ctx.onAccess({
      ...base,
      responseCode: upstream.statusCode,
      responseFlags: [],
      responseCodeDetails: 'via_upstream',
      bytesSent: bytes,
      durationMs: performance.now() - t0,
      upstreamServiceTimeMs: serviceTime,
      ...(up.lastLocal ? { upstreamLocalAddress: `${up.lastLocal.ip}:${up.lastLocal.port}` } : {}),
    })
  } catch {
    count(ctx, 'upstream_cx_connect_fail')
    const reply = upstreamReset(
      'remote connection failure',
      'delayed_connect_error:_Connection_refused',
      true,
    )
    if (!res.headersSent) {
      res.writeHead(reply.status, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(reply.body),
      })
    }
    res.end(reply.body)
    ctx.onAccess({
      ...base,
      responseCode: reply.status,
      responseFlags: reply.flags,
      responseCodeDetails: reply.details,
      bytesSent: Buffer.byteLength(reply.body),
      durationMs: performance.now() - t0,
    })
  }
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
    const start = new Date()
    const t0 = performance.now()
    const peer = ctx.network.peerOf(socket)
    const app = netConnect({ host: '127.0.0.1', port: appPort ?? 1 })
    app.on('error', () => app.destroy())
    pipeBoth(socket, app).then(({ received, sent }) =>
      ctx.onAccess({
        proxy: ctx.node.pod,
        namespace: ctx.node.namespace,
        cluster: ctx.node.cluster,
        direction: 'inbound',
        startTime: start,
        responseCode: 0,
        responseFlags: appPort === undefined ? ['UF'] : [],
        bytesReceived: received,
        bytesSent: sent,
        durationMs: performance.now() - t0,
        upstreamHost: `${ctx.node.ip}:${l.port}`,
        upstreamCluster: l.cluster,
        downstreamLocalAddress: `${ctx.node.ip}:${l.port}`,
        downstreamRemoteAddress: `${peer.ip}:${peer.port}`,
        requestedServerName: socket.servername || undefined,
      }),
    )
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
