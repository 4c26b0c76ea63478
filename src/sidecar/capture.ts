// The outbound capture port, meshsim's stand-in for iptables: a loopback port that speaks HTTP
// proxy (absolute-form requests and CONNECT) and SOCKS5, so a real curl with http_proxy or
// ALL_PROXY sends its traffic from this pod. Names resolve with the pod's DNS view.

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Peer } from '../proxy/index.ts'
import { count, type SidecarContext } from './context.ts'
import { handleOutboundHttp } from './outbound-http.ts'
import { handleOutboundTcp } from './outbound-tcp.ts'
import { socksHandshake, socksReply } from './socks5.ts'

/** Resolves a host name the way the pod would (search path, cluster DNS); IPs pass through. */
export type PodResolver = (host: string) => string | undefined

export interface CaptureServer {
  readonly server: Server
  /** The real loopback port tools point http_proxy / ALL_PROXY at. */
  readonly port: number
  close(): Promise<void>
}

export async function startCapture(
  ctx: SidecarContext,
  resolve: PodResolver,
): Promise<CaptureServer> {
  // Connections tunneled through CONNECT or SOCKS5 remember where the app meant to go.
  const tunnels = new WeakMap<Duplex, Peer>()
  const open = new Set<Socket>()
  const appPeer = (socket: { remotePort?: number | undefined }): Peer => ({
    ip: ctx.node.ip,
    port: socket.remotePort ?? 0,
  })

  const unresolvable = (res: ServerResponse, host: string) => {
    count(ctx, 'capture_resolve_fail')
    const body = `meshsim: ${host} does not resolve from ${ctx.node.pod} in ${ctx.node.cluster}\n`
    res.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const tunneled = tunnels.get(req.socket)
    let destination: Peer | undefined = tunneled
    let path = req.url ?? '/'
    if (!destination) {
      let url: URL
      try {
        url = /^[a-z]+:\/\//i.test(path)
          ? new URL(path)
          : new URL(path, `http://${req.headers.host ?? 'invalid'}`)
      } catch {
        res.writeHead(400).end()
        return
      }
      if (url.protocol !== 'http:') {
        res.writeHead(400).end()
        return
      }
      const ip = resolve(url.hostname)
      if (ip === undefined) return unresolvable(res, url.hostname)
      destination = { ip, port: url.port === '' ? 80 : Number(url.port) }
      path = `${url.pathname}${url.search}`
      // RFC 9112 §3.2.2: an absolute-form target overrides the Host header.
      if (/^[a-z]+:\/\//i.test(req.url ?? '') || !req.headers.host) req.headers.host = url.host
    }
    handleOutboundHttp(ctx, { req, res, destination, downstream: appPeer(req.socket), path }).catch(
      () => {
        count(ctx, 'downstream_rq_error')
        res.destroy()
      },
    )
  }

  const http = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    try {
      onRequest(req, res)
    } catch {
      count(ctx, 'downstream_rq_error')
      res.destroy()
    }
  })
  http.on('clientError', (_err, socket) => {
    count(ctx, 'downstream_cx_protocol_error')
    socket.destroy()
  })

  /** A tunneled stream: TCP listeners proxy bytes, HTTP ports are parsed per request. */
  const splice = (socket: Socket, destination: Peer, downstream: Peer) => {
    const routing = ctx.routing()
    if (
      routing?.httpListener(destination.port) &&
      !routing.tcpListener(destination.ip, destination.port)
    ) {
      tunnels.set(socket, destination)
      http.emit('connection', socket)
      socket.resume()
      return
    }
    handleOutboundTcp(ctx, socket, destination, downstream).catch(() => socket.destroy())
  }

  http.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/)
    const ip = resolve(host.replace(/^\[|\]$/g, ''))
    if (ip === undefined || !/^\d+$/.test(port)) {
      count(ctx, 'capture_resolve_fail')
      socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')
      return
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    if (head.length > 0) socket.unshift(head)
    splice(socket, { ip, port: Number(port) }, appPeer(socket))
  })

  const server = createNetServer({ noDelay: true }, (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
    count(ctx, 'capture_cx_total')
    socket.once('data', (first: Buffer) => {
      socket.pause()
      socket.unshift(first)
      if (first[0] !== 5) {
        http.emit('connection', socket)
        socket.resume()
        return
      }
      socket.resume()
      socksHandshake(socket).then(
        (target) => {
          if (!target) {
            socket.destroy()
            return
          }
          const ip = resolve(target.host)
          if (ip === undefined) {
            count(ctx, 'capture_resolve_fail')
            socksReply(socket, 4)
            socket.end()
            return
          }
          socksReply(socket, 0)
          splice(socket, { ip, port: target.port }, appPeer(socket))
        },
        () => socket.destroy(),
      )
    })
  })
  server.on('error', () => count(ctx, 'listener_error'))
  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen({ host: '127.0.0.1', port: 0 }, () => ok())
  })
  const address = server.address()
  const port = address !== null && typeof address === 'object' ? address.port : 0
  return {
    server,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done())
        for (const s of open) s.destroy()
      }),
  }
}
