// The downstream side of an HTTP/1.1 proxy connection: requests framed by llhttp become
// exchanges handled one at a time in arrival order (pipelined requests wait their turn), bodies
// are buffered until the handler has somewhere to send them, and responses are written back with
// the framing the next hop needs.

import type { Duplex } from 'node:stream'
import { declaredFraming, type Framing, headerValue } from './head.ts'
import { type MessageHead, MessageParser, type ParseError } from './parser.ts'

/** A request body is kept for a replay (stale pooled connection) only up to this size. */
const REPLAY_LIMIT = 64 * 1024
/** Request body held while there is nowhere to send it; past this the client is not read. */
const PENDING_LIMIT = 1024 * 1024

export interface ServeOptions {
  /** A request framing error: the connection gets a 400 (if it can) and closes. */
  readonly onProtocolError?: (err: ParseError) => void
  /** CONNECT or Upgrade: the socket is handed over with the bytes that followed the head. */
  readonly onUpgrade?: (head: MessageHead, socket: Duplex, rest: Buffer) => void
}

export class ServerExchange {
  readonly head: MessageHead
  readonly framing: Framing
  readonly socket: Duplex
  /** Request body bytes received so far. */
  bodyBytes = 0
  /** The whole request body has arrived. */
  requestComplete = false
  /** The response head has been written. */
  responseStarted = false
  /** Response body bytes written. */
  responseBytes = 0
  readonly #conn: ServerConnection
  #pending: Buffer[] = []
  #pendingBytes = 0
  #replay: Buffer[] | undefined = []
  #sink: Duplex | undefined
  #sinkFraming: Framing | undefined
  #responseFraming: Framing | undefined
  #closeAfter = false
  #aborted = false
  onAbort: (() => void) | undefined

  constructor(conn: ServerConnection, head: MessageHead, socket: Duplex) {
    this.#conn = conn
    this.head = head
    this.framing = declaredFraming(head)
    this.socket = socket
    if (!head.keepAlive) this.#closeAfter = true
  }

  get aborted(): boolean {
    return this.#aborted
  }

  /** The body so far, when it is small enough to send again. */
  get replayable(): boolean {
    return this.#replay !== undefined
  }

  receive(chunk: Buffer): void {
    this.bodyBytes += chunk.length
    if (this.#replay) {
      this.#replay.push(chunk)
      if (this.bodyBytes > REPLAY_LIMIT) this.#replay = undefined
    }
    if (this.#sink) this.#sendBody(chunk)
    else {
      this.#pending.push(chunk)
      this.#pendingBytes += chunk.length
      if (this.#pendingBytes > PENDING_LIMIT) this.#conn.hold()
    }
  }

  receiveEnd(): void {
    this.requestComplete = true
    if (this.#sink) this.#endBody()
  }

  /**
   * Streams the request body to `sink` with `framing` (what was buffered first, then the rest as
   * it arrives). With `replay`, the body already sent to an earlier sink is sent again.
   */
  pipeBody(sink: Duplex, framing: Framing, replay = false): void {
    this.#sink = sink
    this.#sinkFraming = framing
    const first = replay && this.#replay ? [...this.#replay] : this.#pending
    if (this.#pending.length > 0) this.#pending = []
    this.#pendingBytes = 0
    this.#conn.unhold()
    for (const c of first) this.#sendBody(c)
    if (this.requestComplete) this.#endBody()
  }

  /** Stops sending the body to the current sink (it failed); later chunks wait for the next. */
  unpipeBody(): void {
    this.#sink = undefined
  }

  #sendBody(chunk: Buffer): void {
    const sink = this.#sink as Duplex
    if (chunk.length === 0) return
    let ok: boolean
    if (this.#sinkFraming?.kind === 'chunked') {
      sink.cork()
      sink.write(`${chunk.length.toString(16)}\r\n`)
      sink.write(chunk)
      ok = sink.write('\r\n')
      sink.uncork()
    } else ok = sink.write(chunk)
    if (!ok) this.#conn.pauseFor(sink)
  }

  #endBody(): void {
    if (this.#sinkFraming?.kind === 'chunked') this.#sink?.write('0\r\n\r\n')
  }

  /** Writes the response head (wire text from writeHead) and the framing its body will use. */
  writeHead(text: string, framing: Framing, close: boolean): void {
    if (this.#aborted) return
    this.responseStarted = true
    this.#responseFraming = framing
    if (close || framing.kind === 'close') this.#closeAfter = true
    // Header bytes came in as latin1 strings (node's llhttp binding): they go out the same way.
    this.socket.write(text, 'latin1')
  }

  /** Writes response body bytes; false when the socket wants the writer to wait for 'drain'. */
  write(chunk: Buffer): boolean {
    if (this.#aborted || chunk.length === 0) return true
    this.responseBytes += chunk.length
    if (this.#responseFraming?.kind === 'chunked') {
      this.socket.cork()
      this.socket.write(`${chunk.length.toString(16)}\r\n`)
      this.socket.write(chunk)
      const ok = this.socket.write('\r\n')
      this.socket.uncork()
      return ok
    }
    return this.socket.write(chunk)
  }

  /** Ends the response; the next pipelined request (if any) starts. */
  end(): void {
    if (this.#aborted) return
    if (this.#responseFraming?.kind === 'chunked') this.socket.write('0\r\n\r\n')
    // A response sent before its request finished leaves unread body on the wire.
    this.#conn.finished(this, this.#closeAfter || !this.requestComplete)
  }

  /** Answers with a complete response (a local reply); returns the body bytes written. */
  reply(status: number, reason: string, headers: readonly string[], body: string): number {
    if (this.#aborted) return 0
    const length = Buffer.byteLength(body)
    // A response to HEAD announces the body it does not carry (RFC 9110 §9.3.2).
    const sent = this.head.method === 'HEAD' ? 0 : length
    let text = `HTTP/1.1 ${status} ${reason}\r\n`
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`
    text += `content-length: ${length}\r\n`
    if (this.#closeAfter) text += 'connection: close\r\n'
    this.socket.cork()
    this.writeHead(`${text}\r\n`, { kind: 'length', length: sent }, false)
    if (sent > 0) this.socket.write(body)
    this.socket.uncork()
    this.responseBytes += sent
    this.end()
    return sent
  }

  /** The connection went away (or the handler gave up): nothing more is written. */
  abort(): void {
    if (this.#aborted) return
    this.#aborted = true
    this.#sink = undefined
    this.onAbort?.()
  }

  /** Resets the downstream connection (a response cut short). */
  destroy(): void {
    this.abort()
    this.socket.destroy()
  }
}

class ServerConnection {
  readonly #socket: Duplex
  readonly #handler: (ex: ServerExchange) => void
  readonly #opts: ServeOptions
  readonly #parser: MessageParser
  readonly #queue: ServerExchange[] = []
  #upgrade: MessageHead | undefined
  #closing = false
  #held = false
  #drainOf: Duplex | undefined

  constructor(socket: Duplex, handler: (ex: ServerExchange) => void, opts: ServeOptions) {
    this.#socket = socket
    this.#handler = handler
    this.#opts = opts
    this.#parser = new MessageParser('request', {
      head: (head) => {
        if (head.upgrade) {
          this.#upgrade = head
          return false
        }
        const ex = new ServerExchange(this, head, socket)
        this.#queue.push(ex)
        if (
          head.versionMinor === 1 &&
          headerValue(head.headers, 'expect')?.toLowerCase() === '100-continue'
        )
          socket.write('HTTP/1.1 100 Continue\r\n\r\n')
        if (this.#queue.length === 1) this.#start(ex)
        return false
      },
      body: (chunk) => this.#queue.at(-1)?.receive(chunk),
      complete: () => {
        if (!this.#upgrade) this.#queue.at(-1)?.receiveEnd()
      },
    })
    socket.on('data', this.#onData)
    socket.on('end', this.#onEnd)
    socket.on('close', this.#onClose)
    socket.on('error', () => socket.destroy())
    socket.resume()
  }

  #start(ex: ServerExchange): void {
    try {
      this.#handler(ex)
    } catch {
      ex.destroy()
    }
  }

  readonly #onData = (chunk: Buffer): void => {
    const used = this.#parser.execute(chunk)
    if (typeof used !== 'number') {
      this.#protocolError(used)
      return
    }
    const upgrade = this.#upgrade
    if (upgrade === undefined) return
    // Everything after the head belongs to the tunnel.
    this.#detach()
    if (this.#queue.length > 0 || !this.#opts.onUpgrade) {
      this.#socket.destroy()
      return
    }
    this.#opts.onUpgrade(upgrade, this.#socket, chunk.subarray(used))
  }

  readonly #onEnd = (): void => {
    if (this.#parser.finish()) {
      // The client left mid-message: an abort, not a protocol error to answer.
      this.#detach()
      for (const ex of this.#queue.splice(0)) ex.abort()
      this.#socket.destroy()
      return
    }
    // Every request arrived whole (finish() would have failed otherwise).
    // Half-closed by the client: finish the responses in flight, then close.
    this.#closing = true
    if (this.#queue.length === 0) this.#socket.end()
  }

  readonly #onClose = (): void => {
    this.#parser.close()
    for (const ex of this.#queue.splice(0)) ex.abort()
  }

  #detach(): void {
    this.#socket.off('data', this.#onData)
    this.#socket.off('end', this.#onEnd)
    this.#socket.off('close', this.#onClose)
    // Whoever takes the socket next resumes it; until then no byte is dropped.
    this.#socket.pause()
    this.#parser.close()
  }

  /** Ends our side and reads (discarding) until the client's FIN, so a half-open socket closes. */
  #endAndDrain(last?: string): void {
    this.#socket.end(last)
    this.#socket.resume()
  }

  #protocolError(err: ParseError): void {
    this.#opts.onProtocolError?.(err)
    this.#detach()
    const current = this.#queue[0]
    for (const ex of this.#queue.splice(0)) ex.abort()
    // Envoy answers a codec error with a local 400 unless a response is already under way.
    if (!current?.responseStarted && this.#socket.writable) {
      this.#endAndDrain(
        'HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nBad Request',
      )
    } else this.#socket.destroy()
  }

  /** Back-pressure: stop reading the client until `sink` drains (one drain listener at most). */
  pauseFor(sink: Duplex): void {
    this.#socket.pause()
    if (this.#drainOf === sink) return
    this.#drainOf = sink
    sink.once('drain', () => {
      this.#drainOf = undefined
      if (!this.#held) this.#socket.resume()
    })
  }

  /** Stops reading the client while a request body waits for somewhere to go. */
  hold(): void {
    this.#held = true
    this.#socket.pause()
  }

  unhold(): void {
    if (!this.#held) return
    this.#held = false
    this.#socket.resume()
  }

  finished(ex: ServerExchange, close: boolean): void {
    if (this.#queue[0] !== ex) return
    this.#queue.shift()
    if (close) {
      this.#detach()
      for (const e of this.#queue.splice(0)) e.abort()
      this.#endAndDrain()
      return
    }
    const next = this.#queue[0]
    // A turn later, so the finished exchange's upstream connection is released for reuse first.
    if (next) setImmediate(() => next.aborted || this.#start(next))
    else if (this.#closing) this.#socket.end()
  }
}

/** Serves HTTP/1.1 on `socket`, calling `handler` for each request in turn. */
export function serveHttp1(
  socket: Duplex,
  handler: (ex: ServerExchange) => void,
  opts: ServeOptions = {},
): void {
  new ServerConnection(socket, handler, opts)
}
