// One HTTP/1.1 exchange through a proxy: the rewritten request head and the streamed body go up
// one pooled connection, the response comes back with Envoy's headers added and the framing the
// client needs, and the outcome says what the access log should show.

import type { ClientConnection } from './client.ts'
import { declaredFraming, type Framing, responseFraming, writeHead } from './head.ts'
import type { MessageHead } from './parser.ts'
import type { ServerExchange } from './server.ts'

export interface RelayRequest {
  /** Request head wire text for the upstream (from writeHead). */
  readonly head: string
  /** Send the request body again (a retry on a fresh connection). */
  readonly replay?: boolean
}

export interface ResponseRewrite {
  /** The `server` header the client sees (`envoy` outbound, `istio-envoy` inbound). */
  readonly server: string
}

export type RelayOutcome =
  | {
      readonly kind: 'response'
      readonly status: number
      /** Time to the upstream's response head (x-envoy-upstream-service-time). */
      readonly serviceTimeMs: number
      /** Response body bytes written to the client. */
      readonly bytesSent: number
      /** False when the response was cut short (the client's connection is reset). */
      readonly complete: boolean
      /** The upstream connection may carry another request. */
      readonly reusable: boolean
    }
  | {
      readonly kind: 'reset'
      readonly reason: 'connection termination' | 'protocol error'
      /** Nothing came back on a reused connection: a stale keep-alive, safe to send again. */
      readonly stale: boolean
    }
  | { readonly kind: 'downstream-reset' }

const REPLACED = new Set(['server', 'x-envoy-upstream-service-time'])
const CHUNKED: Framing = { kind: 'chunked' }
const CLOSE: Framing = { kind: 'close' }

/** The framing the client gets: close-delimited bodies become chunked for HTTP/1.1 clients. */
function downstreamFraming(up: Framing, client: MessageHead): Framing {
  if (up.kind === 'close') return client.versionMinor >= 1 ? CHUNKED : CLOSE
  if (up.kind === 'chunked' && client.versionMinor === 0) return CLOSE
  return up
}

export function relayExchange(
  ex: ServerExchange,
  conn: ClientConnection,
  request: RelayRequest,
  rewrite: ResponseRewrite,
): Promise<RelayOutcome> {
  const method = ex.head.method
  // The client went away while a connection was found: nothing is sent upstream.
  if (ex.aborted) return Promise.resolve({ kind: 'downstream-reset' })
  return new Promise((resolve) => {
    const sent = performance.now()
    let status = 0
    let serviceTimeMs = 0
    const upstream = conn.socket
    let waitingDrain = false
    ex.onAbort = () => {
      conn.destroy()
      resolve({ kind: 'downstream-reset' })
    }
    conn.begin(method, {
      head(h) {
        status = h.status
        serviceTimeMs = performance.now() - sent
        const body = downstreamFraming(responseFraming(h, method), ex.head)
        // A HEAD response announces the length of the body it does not carry.
        const announced = method === 'HEAD' ? declaredFraming(h) : body
        const text = writeHead(`HTTP/1.1 ${h.status} ${h.reason}`, h.headers, {
          replace: REPLACED,
          add: [
            'x-envoy-upstream-service-time',
            String(Math.round(serviceTimeMs)),
            'server',
            rewrite.server,
          ],
          framing: announced,
          close: body.kind === 'close' || !ex.head.keepAlive,
        })
        // Head, body and end of a small response leave in one write (see flush).
        ex.socket.cork()
        ex.writeHead(text, body, false)
      },
      flush() {
        ex.socket.uncork()
      },
      body(chunk) {
        if (!ex.write(chunk)) {
          upstream.pause()
          if (waitingDrain) return
          waitingDrain = true
          ex.socket.once('drain', () => {
            waitingDrain = false
            upstream.resume()
          })
        }
      },
      complete(reusable) {
        ex.onAbort = undefined
        const requestSent = ex.requestComplete
        ex.end()
        resolve({
          kind: 'response',
          status,
          serviceTimeMs,
          bytesSent: ex.responseBytes,
          complete: true,
          reusable: reusable && requestSent,
        })
      },
      fail(reason) {
        ex.onAbort = undefined
        ex.unpipeBody()
        if (status === 0) {
          // Only silence on a reused connection is a stale keep-alive; garbage is not.
          const stale = reason === 'connection termination' && conn.requests > 1 && ex.replayable
          resolve({ kind: 'reset', reason, stale })
          return
        }
        ex.destroy()
        resolve({
          kind: 'response',
          status,
          serviceTimeMs,
          bytesSent: ex.responseBytes,
          complete: false,
          reusable: false,
        })
      },
    })
    upstream.cork()
    upstream.write(request.head)
    ex.pipeBody(upstream, ex.framing, request.replay === true)
    upstream.uncork()
  })
}
