// One HTTP/1.1 exchange through a proxy: the rewritten request head and the streamed body go up
// one pooled connection, the response comes back with Envoy's headers added and the framing the
// client needs, and the outcome says what the access log should show.

import type { ClientConnection, ResponseHandler } from './client.ts'
import { declaredFraming, type Framing, headerValue, responseFraming, writeHead } from './head.ts'
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
  /** Response headers to drop instead of RESPONSE_REPLACED (so a superset of it). */
  readonly replace?: ReadonlySet<string>
  /** More headers for the client: name, value, name, value, ... */
  readonly add?: readonly string[]
  /** A response header (lower-case) whose value the outcome hands back. */
  readonly take?: string
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
      /** The value of the `take` header, when the response had one. */
      readonly taken: string | undefined
    }
  | {
      readonly kind: 'reset'
      readonly reason: 'connection termination' | 'protocol error'
      /** Nothing came back on a reused connection: a stale keep-alive, safe to send again. */
      readonly stale: boolean
    }
  | { readonly kind: 'downstream-reset' }

/** Response headers the relay sets itself, so drops when they come from upstream. */
export const RESPONSE_REPLACED: ReadonlySet<string> = new Set([
  'server',
  'x-envoy-upstream-service-time',
])
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
  // The client went away while a connection was found: nothing is sent upstream.
  if (ex.aborted) return Promise.resolve({ kind: 'downstream-reset' })
  return new Promise((resolve) => {
    const relay = new Relay(ex, conn, rewrite, resolve)
    ex.onAbort = relay.onAbort
    conn.begin(ex.head.method, relay)
    const upstream = conn.socket
    upstream.cork()
    upstream.write(request.head, 'latin1')
    ex.pipeBody(upstream, ex.framing, request.replay === true)
    upstream.uncork()
  })
}

/** The state of one exchange in flight: the upstream connection's response handler. */
class Relay implements ResponseHandler {
  readonly #ex: ServerExchange
  readonly #conn: ClientConnection
  readonly #rewrite: ResponseRewrite
  readonly #resolve: (outcome: RelayOutcome) => void
  readonly #sent = performance.now()
  #status = 0
  #serviceTimeMs = 0
  #taken: string | undefined
  #waitingDrain = false

  constructor(
    ex: ServerExchange,
    conn: ClientConnection,
    rewrite: ResponseRewrite,
    resolve: (outcome: RelayOutcome) => void,
  ) {
    this.#ex = ex
    this.#conn = conn
    this.#rewrite = rewrite
    this.#resolve = resolve
  }

  readonly onAbort = (): void => {
    this.#conn.destroy()
    this.#resolve({ kind: 'downstream-reset' })
  }

  head(h: MessageHead): void {
    const ex = this.#ex
    const method = ex.head.method
    this.#status = h.status
    this.#serviceTimeMs = performance.now() - this.#sent
    const body = downstreamFraming(responseFraming(h, method), ex.head)
    // A HEAD response announces the length of the body it does not carry.
    const announced = method === 'HEAD' ? declaredFraming(h) : body
    const rewrite = this.#rewrite
    if (rewrite.take !== undefined) this.#taken = headerValue(h.headers, rewrite.take)
    const add = [
      'x-envoy-upstream-service-time',
      String(Math.round(this.#serviceTimeMs)),
      'server',
      rewrite.server,
    ]
    if (rewrite.add !== undefined) add.push(...rewrite.add)
    const text = writeHead(`HTTP/1.1 ${h.status} ${h.reason}`, h.headers, {
      replace: rewrite.replace ?? RESPONSE_REPLACED,
      add,
      framing: announced,
      close: body.kind === 'close' || !ex.head.keepAlive,
    })
    // Head, body and end of a small response leave in one write (see flush).
    ex.socket.cork()
    ex.writeHead(text, body, false)
  }

  flush(): void {
    this.#ex.socket.uncork()
  }

  body(chunk: Buffer): void {
    if (this.#ex.write(chunk)) return
    const upstream = this.#conn.socket
    upstream.pause()
    if (this.#waitingDrain) return
    this.#waitingDrain = true
    this.#ex.socket.once('drain', () => {
      this.#waitingDrain = false
      upstream.resume()
    })
  }

  complete(reusable: boolean): void {
    const ex = this.#ex
    ex.onAbort = undefined
    const requestSent = ex.requestComplete
    ex.end()
    this.#resolve({
      kind: 'response',
      status: this.#status,
      serviceTimeMs: this.#serviceTimeMs,
      bytesSent: ex.responseBytes,
      complete: true,
      reusable: reusable && requestSent,
      taken: this.#taken,
    })
  }

  fail(reason: 'connection termination' | 'protocol error'): void {
    const ex = this.#ex
    ex.onAbort = undefined
    ex.unpipeBody()
    if (this.#status === 0) {
      // Only silence on a reused connection is a stale keep-alive; garbage is not.
      const stale = reason === 'connection termination' && this.#conn.requests > 1 && ex.replayable
      this.#resolve({ kind: 'reset', reason, stale })
      return
    }
    ex.destroy()
    this.#resolve({
      kind: 'response',
      status: this.#status,
      serviceTimeMs: this.#serviceTimeMs,
      bytesSent: ex.responseBytes,
      complete: false,
      reusable: false,
      taken: this.#taken,
    })
  }
}
