// HTTP/1.1 message framing with Node's own llhttp binding (the parser behind node:http), driven
// directly: a proxy learns each message's head and body boundaries without building
// IncomingMessage/ServerResponse objects, and moves the bytes itself.

import { HTTPParser, methods } from 'node:_http_common'

/** Envoy's default max_request_headers_kb is 60. */
const MAX_HEADER_BYTES = 60 * 1024

export interface MessageHead {
  readonly versionMinor: number
  /** Raw headers as received: name, value, name, value, ... */
  readonly headers: readonly string[]
  /** Requests only. */
  readonly method: string
  readonly url: string
  /** Responses only. */
  readonly status: number
  readonly reason: string
  /** CONNECT or an Upgrade request: the bytes after the head are not HTTP. */
  readonly upgrade: boolean
  readonly keepAlive: boolean
}

export interface MessageEvents {
  /** Return true when the message has no body whatever its headers say (a response to HEAD). */
  head(head: MessageHead): boolean
  body(chunk: Buffer): void
  complete(): void
}

export interface ParseError {
  readonly code: string
  readonly reason: string
}

export class MessageParser {
  readonly #parser = new HTTPParser()
  #pendingHeaders: string[] = []
  #pendingUrl = ''
  #closed = false
  #executing = false
  #closeAfter = false

  constructor(kind: 'request' | 'response', events: MessageEvents) {
    const p = this.#parser
    p.initialize(
      kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
      {},
      MAX_HEADER_BYTES,
      HTTPParser.kLenientNone,
    )
    // Long heads arrive in parts before headers-complete (as in node:http's parserOnHeaders).
    p[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      this.#pendingHeaders.push(...headers)
      this.#pendingUrl += url
    }
    p[HTTPParser.kOnHeadersComplete] = (
      _major: number,
      versionMinor: number,
      headers: string[] | undefined,
      method: number | undefined,
      url: string | undefined,
      status: number | undefined,
      reason: string | undefined,
      upgrade: boolean,
      keepAlive: boolean,
    ): number => {
      let all = headers ?? []
      let target = url ?? ''
      if (this.#pendingHeaders.length > 0 || this.#pendingUrl !== '') {
        all = [...this.#pendingHeaders, ...all]
        target = this.#pendingUrl + target
        this.#pendingHeaders = []
        this.#pendingUrl = ''
      }
      const skipBody = events.head({
        versionMinor,
        headers: all,
        method: method === undefined ? '' : (methods[method] ?? ''),
        url: target,
        status: status ?? 0,
        reason: reason ?? '',
        upgrade,
        keepAlive,
      })
      return skipBody ? 1 : 0
    }
    p[HTTPParser.kOnBody] = (chunk: Buffer) => events.body(chunk)
    p[HTTPParser.kOnMessageComplete] = () => events.complete()
  }

  /**
   * Feeds bytes; returns how many were consumed (fewer than given after CONNECT or an upgrade:
   * the rest belongs to the tunnel), or the parse error.
   */
  execute(data: Buffer): number | ParseError {
    if (this.#closed) return { code: 'HPE_CLOSED', reason: 'parser closed' }
    this.#executing = true
    const r = this.#parser.execute(data)
    this.#executing = false
    if (this.#closeAfter) this.close()
    if (typeof r === 'number') return r
    return { code: r.code ?? 'HPE_UNKNOWN', reason: r.reason ?? r.message }
  }

  /** The peer closed: completes a body delimited by the connection's end. */
  finish(): ParseError | undefined {
    if (this.#closed) return undefined
    this.#executing = true
    const r = this.#parser.finish()
    this.#executing = false
    if (this.#closeAfter) this.close()
    return r ? { code: r.code ?? 'HPE_UNKNOWN', reason: r.reason ?? r.message } : undefined
  }

  /** Frees the native parser; from inside a callback, once the current call returns. */
  close(): void {
    if (this.#closed) return
    if (this.#executing) {
      this.#closeAfter = true
      return
    }
    this.#closed = true
    this.#parser.close()
  }
}
