// One hop of the reference chains, on a thread of its own as each pod runs on its own thread in
// the mesh: capture (plaintext in, mTLS out), gateway (TCP both ways) or inbound (mTLS in,
// plaintext out). With `http`, capture and inbound do the least an HTTP-aware proxy must: parse
// each request and response with llhttp and rewrite its head (no routing, pooling or records).
// Tells its parent the port it listens on.

import { connect, createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls'
import { parentPort, workerData } from 'node:worker_threads'
import { declaredFraming, MessageParser, responseFraming, writeHead } from '../src/proxy/index.ts'

export interface HopData {
  readonly kind: 'capture' | 'gateway' | 'inbound'
  /** The port of the next hop (or the app). */
  readonly next: number
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string }
  readonly http: boolean
}

function join(a: Socket, b: Socket): void {
  a.pipe(b)
  b.pipe(a)
  a.on('error', () => b.destroy())
  b.on('error', () => a.destroy())
  a.on('close', () => b.destroy())
  b.on('close', () => a.destroy())
}

/** Requests from `down` to `up` and responses back, each head parsed and rewritten. */
function joinHttp(down: Socket, up: Socket, server: string): void {
  let method = ''
  let sent = 0
  const requests = new MessageParser('request', {
    head: (h) => {
      method = h.method
      sent = performance.now()
      const head = writeHead(`${h.method} ${h.url} HTTP/1.1`, h.headers, {
        framing: declaredFraming(h),
        add: ['x-forwarded-proto', 'http'],
      })
      up.write(head, 'latin1')
      return false
    },
    body: (chunk) => up.write(chunk),
    complete: () => {},
  })
  const responses = new MessageParser('response', {
    head: (h) => {
      const head = writeHead(`HTTP/1.1 ${h.status} ${h.reason}`, h.headers, {
        framing: responseFraming(h, method),
        add: [
          'x-envoy-upstream-service-time',
          String(Math.round(performance.now() - sent)),
          'server',
          server,
        ],
      })
      down.cork()
      down.write(head, 'latin1')
      return method === 'HEAD'
    },
    body: (chunk) => down.write(chunk),
    complete: () => down.uncork(),
  })
  down.on('data', (chunk: Buffer) => requests.execute(chunk))
  up.on('data', (chunk: Buffer) => responses.execute(chunk))
  down.on('error', () => up.destroy())
  up.on('error', () => down.destroy())
  down.on('close', () => up.destroy())
  up.on('close', () => down.destroy())
}

function server({ kind, next, tls, http }: HopData): Server {
  const plain = () => connect({ host: '127.0.0.1', port: next, noDelay: true })
  const link = (a: Socket, b: Socket, name: string) => (http ? joinHttp(a, b, name) : join(a, b))
  if (kind === 'inbound')
    return createTlsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, (s) =>
      link(s, plain(), 'istio-envoy'),
    )
  if (kind === 'gateway') return createServer({ noDelay: true }, (s) => join(s, plain()))
  return createServer({ noDelay: true }, (s) => {
    const upstream = tlsConnect({
      ...tls,
      host: '127.0.0.1',
      port: next,
      servername: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
      checkServerIdentity: () => undefined,
    })
    upstream.setNoDelay(true)
    link(s, upstream, 'envoy')
  })
}

const srv = server(workerData as HopData)
srv.listen(0, '127.0.0.1', () => {
  const address = srv.address()
  parentPort?.postMessage(typeof address === 'object' && address ? address.port : 0)
})
