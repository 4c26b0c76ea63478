// The upstream side of an HTTP/1.1 proxy: one keep-alive connection that carries one request at a
// time and frames the responses with llhttp, and a pool of them per endpoint (idle connections
// reused newest first, so steady load opens no new connections).

import type { Duplex } from 'node:stream'
import type { Peer } from '../network.ts'
import { type MessageHead, MessageParser } from './parser.ts'

export interface ResponseHandler {
  head(head: MessageHead): void
  body(chunk: Buffer): void
  /** The response is complete; `reusable` when the connection may carry another request. */
  complete(reusable: boolean): void
  /** The connection failed before the response completed. */
  fail(reason: 'connection termination' | 'protocol error'): void
  /** Called after each chunk from the upstream is parsed (a place to uncork the client). */
  flush(): void
}

/** What a connector reports about a new upstream connection. */
export interface Connected {
  readonly socket: Duplex
  /** The connection's virtual local address (UPSTREAM_LOCAL_ADDRESS). */
  readonly local: Peer
  /** The server's SPIFFE id, for mTLS connections. */
  readonly peerIdentity?: string
  /** For mTLS connections: the SNI sent and the negotiated ALPN protocol. */
  readonly sni?: string
  readonly alpn?: string
}

export class ClientConnection {
  readonly socket: Duplex
  /** The connection's virtual local address as `ip:port`, for access logs. */
  readonly localAddress: string
  readonly peerIdentity: string | undefined
  readonly sni: string | undefined
  readonly alpn: string | undefined
  /** Requests this connection has carried, this one included. */
  requests = 0
  readonly #parser: MessageParser
  #handler: ResponseHandler | undefined
  #skipBody = false
  #informational = false
  #keepAlive = true
  #closed = false
  onClose: (() => void) | undefined

  constructor(c: Connected) {
    this.socket = c.socket
    this.localAddress = `${c.local.ip}:${c.local.port}`
    this.peerIdentity = c.peerIdentity
    this.sni = c.sni
    this.alpn = c.alpn
    this.#parser = new MessageParser('response', {
      head: (head) => {
        // 1xx (other than 101) precede the real response: drop them.
        this.#informational = head.status >= 100 && head.status < 200 && head.status !== 101
        if (this.#informational) return false
        this.#keepAlive = head.keepAlive
        this.#handler?.head(head)
        return this.#skipBody
      },
      body: (chunk) => this.#handler?.body(chunk),
      complete: () => {
        if (this.#informational) {
          this.#informational = false
          return
        }
        const h = this.#handler
        this.#handler = undefined
        h?.complete(this.#keepAlive && !this.#closed)
      },
    })
    const socket = this.socket
    socket.on('data', (chunk: Buffer) => {
      if (this.#handler === undefined) {
        // Bytes nobody asked for: the connection is unusable.
        socket.destroy()
        return
      }
      const h = this.#handler
      const r = this.#parser.execute(chunk)
      if (typeof r !== 'number') {
        this.#handler = undefined
        socket.destroy()
        h.fail('protocol error')
      }
      h.flush()
    })
    socket.on('end', () => {
      // A body delimited by the close completes now.
      if (this.#handler) this.#parser.finish()
      socket.end()
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => {
      this.#closed = true
      this.#parser.close()
      const h = this.#handler
      this.#handler = undefined
      h?.fail('connection termination')
      this.onClose?.()
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Starts an exchange: the caller then writes the request head and body to `socket`. */
  begin(method: string, handler: ResponseHandler): void {
    this.requests++
    this.#skipBody = method === 'HEAD'
    this.#keepAlive = true
    this.#handler = handler
  }

  /** Gives up on the exchange in flight: the connection cannot be reused. */
  destroy(): void {
    this.#handler = undefined
    this.socket.destroy()
  }
}

export class ConnectionPool {
  readonly #connect: () => Promise<Connected>
  readonly #idle: ClientConnection[] = []
  readonly #all = new Set<ClientConnection>()
  #closed = false
  /** Connections opened since the pool was made. */
  opened = 0

  constructor(connect: () => Promise<Connected>) {
    this.#connect = connect
  }

  /** Closed pools make no new connections. */
  get closed(): boolean {
    return this.#closed
  }

  /** An idle connection, if there is one. */
  idle(): ClientConnection | undefined {
    for (let c = this.#idle.pop(); c !== undefined; c = this.#idle.pop()) {
      if (!c.closed) return c
    }
    return undefined
  }

  /** An idle connection, or a new one (a connect failure rejects with the connector's error). */
  async acquire(): Promise<ClientConnection> {
    const idle = this.idle()
    if (idle) return idle
    return this.open()
  }

  /** A new connection (a connect failure rejects with the connector's error). */
  async open(): Promise<ClientConnection> {
    const conn = new ClientConnection(await this.#connect())
    this.opened++
    if (this.#closed) {
      conn.destroy()
      throw new Error('pool closed')
    }
    this.#all.add(conn)
    conn.onClose = () => {
      this.#all.delete(conn)
      const i = this.#idle.indexOf(conn)
      if (i >= 0) this.#idle.splice(i, 1)
    }
    return conn
  }

  /** Returns a connection after its exchange; unusable ones are closed. */
  release(conn: ClientConnection, reusable: boolean): void {
    if (reusable && !conn.closed && !this.#closed) this.#idle.push(conn)
    else conn.destroy()
  }

  /** Closes idle connections now and the busy ones when their exchanges end. */
  close(): void {
    this.#closed = true
    for (const c of this.#idle.splice(0)) c.destroy()
  }

  /** Closes every connection now. */
  destroy(): void {
    this.close()
    for (const c of this.#all) c.destroy()
    this.#all.clear()
  }
}
