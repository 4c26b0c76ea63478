// The outbound capture port, meshsim's stand-in for iptables: a loopback port that speaks HTTP
// proxy (absolute-form requests and CONNECT) and SOCKS5, so a real curl with http_proxy or
// ALL_PROXY sends its traffic from this pod. Names resolve with the pod's DNS view.

import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { MessageHead, Peer, ServerExchange } from '../proxy/index.ts'
import { headerValue, serveHttp1 } from '../proxy/index.ts'
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

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i

/** Where a proxied request goes: an absolute-form target, or the Host header. */
interface Target {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly authority: string
}

/** Host and port of a Host header (`host[:port]`, IPv6 in brackets), parsed once per text. */
const authorities = new Map<string, { readonly host: string; readonly port: number } | null>()
function parseAuthority(
  authority: string,
): { readonly host: string; readonly port: number } | null {
  let parsed = authorities.get(authority)
  if (parsed === undefined) {
    parsed = null
    if (!/[/?#@\\\s]/.test(authority)) {
      try {
        const url = new URL(`http://${authority}`)
        parsed = {
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port === '' ? 80 : Number(url.port),
        }
      } catch {}
    }
    if (authorities.size < 4096) authorities.set(authority, parsed)
  }
  return parsed
}

/** Origin-form paths WHATWG URL leaves as they are: no dot segments, nothing it would encode. */
const PLAIN_PATH = /^\/[\w.\-~!$&()*+,;=:@/?]*$/

function targetOf(head: MessageHead): Target | 'bad-request' {
  const url = head.url
  const hostHeader = headerValue(head.headers, 'host')
  // Origin form (through CONNECT and SOCKS5, or with a Host header): the authority is Host.
  if (url.startsWith('/')) {
    const a = hostHeader === undefined ? null : parseAuthority(hostHeader)
    if (a === null || hostHeader === undefined) return 'bad-request'
    const plain = PLAIN_PATH.test(url) && !url.includes('/.')
    const path = plain ? url : normalizedPath(new URL(url, 'http://h'))
    return { host: a.host, port: a.port, path, authority: hostHeader }
  }
  if (!ABSOLUTE.test(url)) return 'bad-request'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'bad-request'
  }
  if (parsed.protocol !== 'http:') return 'bad-request'
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? 80 : Number(parsed.port),
    path: normalizedPath(parsed),
    // RFC 9112 §3.2.2: an absolute-form target overrides the Host header.
    authority: parsed.host,
  }
}

const normalizedPath = (url: URL): string => `${url.pathname}${url.search}`

export async function startCapture(
  ctx: SidecarContext,
  resolve: PodResolver,
): Promise<CaptureServer> {
  const open = new Set<Socket>()
  const appPeer = (socket: Socket): Peer => ({ ip: ctx.node.ip, port: socket.remotePort ?? 0 })

  const badRequest = (ex: ServerExchange) =>
    ex.reply(400, 'Bad Request', ['content-type', 'text/plain', 'server', 'envoy'], 'Bad Request')

  /** The app's end of a connection as `ip:port` (the pod IP and the client's port). */
  const appAddress = (socket: Socket) => `${ctx.node.ip}:${socket.remotePort ?? 0}`

  /** Proxy-form HTTP on the capture port itself. */
  const onProxyRequest = (socket: Socket) => {
    const downstream = appAddress(socket)
    return (ex: ServerExchange) => {
      const t = targetOf(ex.head)
      if (t === 'bad-request') return badRequest(ex)
      const ip = resolve(t.host)
      if (ip === undefined) {
        count(ctx, 'capture_resolve_fail')
        const body = `meshsim: ${t.host} does not resolve from ${ctx.node.pod} in ${ctx.node.cluster}\n`
        ex.reply(502, 'Bad Gateway', ['content-type', 'text/plain'], body)
        return
      }
      run(ex, { ip, port: t.port }, `${ip}:${t.port}`, downstream, t.path, t.authority)
    }
  }

  /** Origin-form HTTP inside a CONNECT or SOCKS5 tunnel to `destination`. */
  const onTunneledRequest = (socket: Socket, destination: Peer) => {
    const downstream = appAddress(socket)
    const destinationAddress = `${destination.ip}:${destination.port}`
    return (ex: ServerExchange) => {
      const t = targetOf(ex.head)
      if (t === 'bad-request') return badRequest(ex)
      run(ex, destination, destinationAddress, downstream, t.path, t.authority)
    }
  }

  const run = (
    ex: ServerExchange,
    destination: Peer,
    destinationAddress: string,
    downstreamAddress: string,
    path: string,
    authority: string,
  ) => {
    const r = { ex, destination, destinationAddress, downstreamAddress, path, authority }
    handleOutboundHttp(ctx, r).catch(() => {
      count(ctx, 'downstream_rq_error')
      ex.destroy()
    })
  }

  const onProtocolError = () => count(ctx, 'downstream_cx_protocol_error')

  /** A tunneled stream: TCP listeners proxy bytes, HTTP ports are parsed per request. */
  const splice = (socket: Socket, destination: Peer, rest?: Buffer) => {
    if (rest && rest.length > 0) socket.unshift(rest)
    const routing = ctx.routing()
    if (
      routing?.httpListener(destination.port) &&
      !routing.tcpListener(destination.ip, destination.port)
    ) {
      serveHttp1(socket, onTunneledRequest(socket, destination), { onProtocolError })
      return
    }
    handleOutboundTcp(ctx, socket, destination, appPeer(socket)).catch(() => socket.destroy())
  }

  const onUpgrade = (head: MessageHead, socket: Duplex, rest: Buffer) => {
    const s = socket as Socket
    if (head.method !== 'CONNECT') {
      // Istio proxies WebSocket upgrades; meshsim does not yet.
      s.end('HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')
      return
    }
    const [host = '', port = ''] = head.url.split(/:(?=\d+$)/)
    const ip = resolve(host.replace(/^\[|\]$/g, ''))
    if (ip === undefined || !/^\d+$/.test(port)) {
      count(ctx, 'capture_resolve_fail')
      s.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n')
      return
    }
    s.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    splice(s, { ip, port: Number(port) }, rest)
  }

  // Half-open: a client may send its request, shut its side, and still read the answer.
  const server = createNetServer({ noDelay: true, allowHalfOpen: true }, (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
    count(ctx, 'capture_cx_total')
    // A client that shuts its side before saying anything gets the connection closed.
    const quiet = () => socket.end()
    socket.once('end', quiet)
    socket.once('data', (first: Buffer) => {
      socket.off('end', quiet)
      socket.pause()
      socket.unshift(first)
      if (first[0] !== 5) {
        serveHttp1(socket, onProxyRequest(socket), { onProtocolError, onUpgrade })
        return
      }
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
          splice(socket, { ip, port: target.port })
        },
        () => socket.destroy(),
      )
      socket.resume()
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
