// A tiny HTTP/1.1 proxy assembled from src/proxy/http1 the way a sidecar assembles it
// (serveHttp1 → writeHead → ConnectionPool → relayExchange, one retry of a stale keep-alive),
// real upstream servers on loopback (node:http or raw net), and a raw client that writes exact
// bytes and reads exact responses. Everything a test opens is closed when the test finishes.

import { once } from 'node:events'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { onTestFinished } from 'vitest'
import {
  type ClientConnection,
  ConnectionPool,
  type MessageHead,
  type ParseError,
  type RelayOutcome,
  relayExchange,
  type ServerExchange,
  serveHttp1,
  writeHead,
} from '../../../src/proxy/index.ts'

/** Upper bound for every wait-for-more-bytes loop (each turn waits for one socket event). */
const MAX_TURNS = 1_000_000

/** Items in arrival order; `at(i)` waits for the i-th (0-based). */
export class Log<T> {
  readonly items: T[] = []
  #waiters: { readonly n: number; readonly resolve: () => void }[] = []

  push(item: T): void {
    this.items.push(item)
    const ready = this.#waiters.filter((w) => this.items.length >= w.n)
    this.#waiters = this.#waiters.filter((w) => this.items.length < w.n)
    for (const w of ready) w.resolve()
  }

  async at(i: number): Promise<T> {
    if (this.items.length <= i) {
      await new Promise<void>((resolve) => this.#waiters.push({ n: i + 1, resolve }))
    }
    return this.items[i] as T
  }
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()))
}

export interface Accepted {
  /** The server side of a connection the proxy opened to the upstream. */
  readonly socket: Socket
  readonly closed: Promise<void>
}

export interface Upstream {
  readonly port: number
  readonly accepted: Log<Accepted>
}

function track(server: Server, accepted: Log<Accepted>): void {
  server.on('connection', (socket: Socket) => {
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    accepted.push({ socket, closed })
  })
}

/** A node:http upstream. */
export async function startHttpUpstream(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Upstream> {
  const server = createHttpServer(handler)
  const accepted = new Log<Accepted>()
  track(server, accepted)
  onTestFinished(async () => {
    server.closeAllConnections()
    await closeServer(server)
  })
  return { port: await listen(server), accepted }
}

/** A raw TCP upstream that writes whatever the test wants. */
export async function startRawUpstream(
  onConnection: (socket: Socket, index: number) => void,
): Promise<Upstream> {
  const accepted = new Log<Accepted>()
  const server = createServer()
  track(server, accepted)
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy())
    onConnection(socket, accepted.items.length - 1)
  })
  onTestFinished(async () => {
    for (const a of accepted.items) a.socket.destroy()
    await closeServer(server)
  })
  return { port: await listen(server), accepted }
}

export interface RawRequest {
  /** The head without its blank line. */
  readonly head: string
  readonly body: Buffer
}

/** Frames the requests arriving on a raw upstream socket (Content-Length bodies only). */
export function readRequests(
  socket: Socket,
  onRequest: (req: RawRequest, index: number) => void,
): void {
  let buf = Buffer.alloc(0)
  let n = 0
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk])
    for (let turn = 0; turn < 1000; turn++) {
      const end = buf.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buf.subarray(0, end).toString('latin1')
      const cl = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)
      const length = cl ? Number(cl[1]) : 0
      if (buf.length < end + 4 + length) return
      const body = Buffer.from(buf.subarray(end + 4, end + 4 + length))
      buf = buf.subarray(end + 4 + length)
      onRequest({ head, body }, n++)
    }
  })
}

/** Header names of a raw head (first line skipped), lower-cased, in order. */
export function headerNames(head: string): string[] {
  return head
    .split('\r\n')
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase())
}

/** One relayExchange call and the upstream connection it used. */
export interface Attempt {
  readonly outcome: RelayOutcome
  readonly conn: ClientConnection
  readonly ex: ServerExchange
  /** The upstream socket was already destroyed when relayExchange resolved (before release). */
  readonly upstreamDestroyed: boolean
}

export interface ProxyOptions {
  readonly upstream: { readonly port: number }
  /** Request headers the proxy drops (the sidecar drops Expect: it answers 100-continue). */
  readonly replace?: ReadonlySet<string>
  /** Every new upstream connection waits for this first. */
  readonly beforeConnect?: () => Promise<void>
  readonly onUpgrade?: (head: MessageHead, socket: Duplex, rest: Buffer) => void
}

export interface Proxy {
  readonly port: number
  readonly pool: ConnectionPool
  readonly attempts: Log<Attempt>
  readonly exchanges: Log<ServerExchange>
  readonly protocolErrors: ParseError[]
  /** The proxy's side of each client connection, in accept order. */
  readonly downstream: Log<Socket>
  /** The proxy's side of each upstream connection, in connect order. */
  readonly upstreamSockets: Log<Socket>
}

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const attempts = new Log<Attempt>()
  const exchanges = new Log<ServerExchange>()
  const downstream = new Log<Socket>()
  const upstreamSockets = new Log<Socket>()
  const protocolErrors: ParseError[] = []

  const pool = new ConnectionPool(async () => {
    await opts.beforeConnect?.()
    const socket = connect({ host: '127.0.0.1', port: opts.upstream.port, noDelay: true })
    await once(socket, 'connect')
    upstreamSockets.push(socket)
    return { socket, local: { ip: '127.0.0.1', port: socket.localPort ?? 0 } }
  })

  const localReply = (ex: ServerExchange, why: string) => {
    if (ex.responseStarted) ex.destroy()
    else ex.reply(503, 'Service Unavailable', ['content-type', 'text/plain'], why)
  }

  /** As the sidecar's forward(): once more on a fresh connection when a reused one was stale. */
  const forward = async (ex: ServerExchange, head: string) => {
    let replay = false
    for (let attempt = 0; attempt < 2; attempt++) {
      let conn: ClientConnection
      try {
        conn = await pool.acquire()
      } catch {
        localReply(ex, 'upstream connect error')
        return
      }
      const outcome = await relayExchange(ex, conn, { head, replay }, { server: 'envoy' })
      const upstreamDestroyed = conn.socket.destroyed
      if (outcome.kind === 'response') pool.release(conn, outcome.reusable)
      else conn.destroy()
      attempts.push({ outcome, conn, ex, upstreamDestroyed })
      if (outcome.kind === 'reset' && outcome.stale && attempt === 0) {
        replay = true
        continue
      }
      if (outcome.kind === 'reset') localReply(ex, `upstream reset: ${outcome.reason}`)
      return
    }
  }

  const handler = (ex: ServerExchange) => {
    exchanges.push(ex)
    const head = writeHead(`${ex.head.method} ${ex.head.url} HTTP/1.1`, ex.head.headers, {
      ...(opts.replace ? { replace: opts.replace } : {}),
      framing: ex.framing,
    })
    void forward(ex, head)
  }

  const server = createServer({ noDelay: true }, (socket) => {
    downstream.push(socket)
    serveHttp1(socket, handler, {
      onProtocolError: (err) => protocolErrors.push(err),
      ...(opts.onUpgrade ? { onUpgrade: opts.onUpgrade } : {}),
    })
  })
  onTestFinished(async () => {
    pool.destroy()
    for (const s of downstream.items) s.destroy()
    for (const s of upstreamSockets.items) s.destroy()
    await closeServer(server)
  })
  return {
    port: await listen(server),
    pool,
    attempts,
    exchanges,
    protocolErrors,
    downstream,
    upstreamSockets,
  }
}

export interface Response {
  readonly version: string
  readonly status: number
  readonly reason: string
  /** Header fields as received, in order. */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Buffer
  /** How the body was delimited on the wire. */
  readonly framing: 'none' | 'length' | 'chunked' | 'close'
}

/** Every value of a header (names compare case-insensitively). */
export function values(r: Pick<Response, 'headers'>, name: string): string[] {
  return r.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v)
}

interface Parsed {
  readonly response: Response
  readonly end: number
}

function decodeChunked(
  buf: Buffer,
  from: number,
): { readonly body: Buffer; readonly end: number } | undefined {
  const parts: Buffer[] = []
  let pos = from
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    const lineEnd = buf.indexOf('\r\n', pos)
    if (lineEnd < 0) return undefined
    const size = (buf.subarray(pos, lineEnd).toString('latin1').split(';')[0] ?? '').trim()
    if (!/^[0-9a-f]+$/i.test(size)) throw new Error(`bad chunk size line ${JSON.stringify(size)}`)
    const n = Number.parseInt(size, 16)
    pos = lineEnd + 2
    if (n === 0) {
      if (buf.length < pos + 2) return undefined
      if (buf[pos] === 0x0d && buf[pos + 1] === 0x0a)
        return { body: Buffer.concat(parts), end: pos + 2 }
      const trailersEnd = buf.indexOf('\r\n\r\n', pos)
      if (trailersEnd < 0) return undefined
      return { body: Buffer.concat(parts), end: trailersEnd + 4 }
    }
    if (buf.length < pos + n + 2) return undefined
    if (buf[pos + n] !== 0x0d || buf[pos + n + 1] !== 0x0a) throw new Error('chunk without CRLF')
    parts.push(buf.subarray(pos, pos + n))
    pos += n + 2
  }
  throw new Error('too many chunks')
}

/** One response from `from`, or undefined when more bytes are needed. */
export function parseResponse(
  buf: Buffer,
  from: number,
  noBody: boolean,
  eof: boolean,
): Parsed | undefined {
  const headEnd = buf.indexOf('\r\n\r\n', from)
  if (headEnd < 0) return undefined
  const lines = buf.subarray(from, headEnd).toString('latin1').split('\r\n')
  const m = /^(HTTP\/1\.[01]) (\d{3}) ?(.*)$/.exec(lines[0] ?? '')
  if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`)
  const headers = lines.slice(1).map((line): [string, string] => {
    const i = line.indexOf(':')
    if (i <= 0) throw new Error(`not a header line: ${JSON.stringify(line)}`)
    return [line.slice(0, i), line.slice(i + 1).trim()]
  })
  const status = Number(m[2])
  const base = { version: m[1] ?? '', status, reason: m[3] ?? '', headers }
  const start = headEnd + 4
  const r = { headers }
  if (noBody || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return { response: { ...base, body: Buffer.alloc(0), framing: 'none' }, end: start }
  }
  if (values(r, 'transfer-encoding').length > 0) {
    const d = decodeChunked(buf, start)
    return d && { response: { ...base, body: d.body, framing: 'chunked' }, end: d.end }
  }
  const cl = values(r, 'content-length')[0]
  if (cl !== undefined) {
    const end = start + Number(cl)
    if (buf.length < end) return undefined
    return { response: { ...base, body: buf.subarray(start, end), framing: 'length' }, end }
  }
  if (!eof) return undefined
  return { response: { ...base, body: buf.subarray(start), framing: 'close' }, end: buf.length }
}

/** A client on a plain socket: exact bytes out, exact bytes in. */
export class RawClient {
  readonly socket: Socket
  readonly closed: Promise<void>
  #buf = Buffer.alloc(0)
  #fresh: Buffer[] = []
  #offset = 0
  #eof = false
  #wakers: (() => void)[] = []

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => {
      this.#fresh.push(chunk)
      this.#wake()
    })
    socket.on('end', () => {
      this.#eof = true
      this.#wake()
    })
    // A reset surfaces as the close below.
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#eof = true
        this.#wake()
        resolve()
      }),
    )
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true })
    onTestFinished(() => {
      socket.destroy()
    })
    await once(socket, 'connect')
    return new RawClient(socket)
  }

  #wake(): void {
    for (const w of this.#wakers.splice(0)) w()
  }

  #next(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve))
  }

  /** Every byte received so far. */
  get received(): Buffer {
    if (this.#fresh.length > 0) this.#buf = Buffer.concat([this.#buf, ...this.#fresh.splice(0)])
    return this.#buf
  }

  /** Bytes received that no response() call consumed. */
  get unread(): Buffer {
    return this.received.subarray(this.#offset)
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (err) => (err ? reject(err) : resolve())),
    )
  }

  /** The next response on the wire (`noBody`: the response to a HEAD). */
  async response(opts: { readonly noBody?: boolean } = {}): Promise<Response> {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const buf = this.received
      const parsed = parseResponse(buf, this.#offset, opts.noBody === true, this.#eof)
      if (parsed) {
        this.#offset = parsed.end
        return parsed.response
      }
      if (this.#eof) {
        const rest = buf.subarray(this.#offset).toString('latin1')
        throw new Error(`connection closed before a complete response: ${JSON.stringify(rest)}`)
      }
      await this.#next()
    }
    throw new Error('no response')
  }

  /** Waits until `done(received)` holds or the connection ends; returns what arrived. */
  async until(done: (received: Buffer) => boolean): Promise<Buffer> {
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const buf = this.received
      if (done(buf) || this.#eof) return buf
      await this.#next()
    }
    throw new Error('no end')
  }
}

/** A request body read whole on a node:http upstream. */
export async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of req) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

/** Reads a node:http upstream's request body, then calls `then`; a failed read resets `res`. */
export function onBody(
  req: IncomingMessage,
  res: ServerResponse,
  then: (body: Buffer) => void,
): void {
  bodyOf(req).then(then, () => res.destroy())
}

/** The same promise with its rejection handled until awaited (a failing test may stop early). */
export function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined)
  return p
}
