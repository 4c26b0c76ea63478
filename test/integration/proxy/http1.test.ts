// The HTTP/1.1 proxy engine (src/proxy/http1) end to end over loopback: a proxy built from
// serveHttp1, writeHead, ConnectionPool and relayExchange between raw or node:http clients and
// real upstream servers. Covers body framing both ways (Content-Length, chunked, close-delimited,
// HEAD), Envoy's response headers, hop-by-hop headers, pipelining, 100-continue, large bodies
// and back-pressure, upstream connection reuse and stale keep-alives, upstream and downstream
// failures, malformed requests, CONNECT hand-over, heads split byte by byte, and heads longer
// than llhttp's 32-header batch.

import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { type IncomingMessage, request, type ServerResponse } from 'node:http'
import { type AddressInfo, createServer } from 'node:net'
import { type Duplex, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { expect, onTestFinished, test, vi } from 'vitest'
import type { MessageHead } from '../../../src/proxy/index.ts'
import {
  bodyOf,
  handled,
  headerNames,
  onBody,
  RawClient,
  readRequests,
  startHttpUpstream,
  startProxy,
  startRawUpstream,
  values,
} from './http1-harness.ts'

const MB = 1024 * 1024
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function slices(buf: Buffer, size = 64 * 1024): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}

/** A promise the test settles when it chooses (e.g. to hold a proxy's upstream connect). */
function holdable(): { wait: Promise<void>; open: () => void } {
  let open = () => {}
  const wait = new Promise<void>((resolve) => {
    open = resolve
  })
  return { wait, open }
}

/** A node:http PUT of `length` body bytes to the proxy; the caller writes the body. */
function putTo(port: number, length: number) {
  return request({
    host: '127.0.0.1',
    port,
    method: 'PUT',
    path: '/big',
    agent: false,
    headers: { 'content-length': String(length) },
  })
}

/** A node:http upstream that answers `METHOD URL BODY` with a Content-Length. */
async function echoUpstream() {
  const seen: { method: string; url: string; rawHeaders: string[]; body: Buffer }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    onBody(req, res, (body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body })
      res.end(`${req.method} ${req.url} ${body.toString('latin1')}`)
    })
  })
  return { upstream, seen }
}

test('a Content-Length request body and response body pass byte-exact, with server: envoy and x-envoy-upstream-service-time added', async () => {
  const seen: { url: string; rawHeaders: string[]; body: Buffer }[] = []
  const responseBody = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x0d, 0x0a, 0xfe, 0xff])
  const upstream = await startHttpUpstream((req, res) => {
    onBody(req, res, (body) => {
      seen.push({ url: req.url ?? '', rawHeaders: req.rawHeaders, body })
      res.writeHead(201, 'Created', [
        'Content-Length',
        String(responseBody.length),
        'Server',
        'upstream-httpd',
        'X-Upstream',
        'yes',
      ])
      res.end(responseBody)
    })
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  // The body contains what looks like the end of a head: only the length may delimit it.
  const requestBody = Buffer.from('\r\n\r\nGET / HTTP/1.1\r\n\x00\xff', 'latin1')
  await client.write(
    Buffer.concat([
      Buffer.from(
        `POST /upload?x=1 HTTP/1.1\r\nHost: svc.test\r\nX-End-To-End: kept\r\nContent-Length: ${requestBody.length}\r\n\r\n`,
      ),
      requestBody,
    ]),
  )
  const res = await client.response()

  expect(seen).toHaveLength(1)
  expect(seen[0]?.url).toBe('/upload?x=1')
  expect(seen[0]?.body.equals(requestBody)).toBe(true)
  expect(seen[0]?.rawHeaders).toEqual([
    'Host',
    'svc.test',
    'X-End-To-End',
    'kept',
    'content-length',
    String(requestBody.length),
  ])

  expect(res.status).toBe(201)
  expect(res.reason).toBe('Created')
  expect(res.framing).toBe('length')
  expect(res.body.equals(responseBody)).toBe(true)
  expect(values(res, 'content-length')).toEqual([String(responseBody.length)])
  expect(values(res, 'server')).toEqual(['envoy'])
  expect(values(res, 'x-envoy-upstream-service-time')).toHaveLength(1)
  expect(values(res, 'x-envoy-upstream-service-time')[0]).toMatch(/^\d+$/)
  expect(values(res, 'x-upstream')).toEqual(['yes'])
  // node:http's own Connection/Keep-Alive are for the proxy's hop only.
  expect(values(res, 'connection')).toEqual([])
  expect(values(res, 'keep-alive')).toEqual([])
  expect(client.unread.length).toBe(0)

  const attempt = await proxy.attempts.at(0)
  expect(attempt.outcome).toMatchObject({
    kind: 'response',
    status: 201,
    bytesSent: responseBody.length,
    complete: true,
    reusable: true,
  })
})

test('hop-by-hop headers, and the headers Connection names, cross the proxy in neither direction', async () => {
  const heads: string[] = []
  const upstream = await startRawUpstream((socket) =>
    readRequests(socket, (req) => {
      heads.push(req.head)
      socket.write(
        'HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Resp-Hop\r\nKeep-Alive: timeout=5\r\n' +
          'Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Resp-Hop: 1\r\nX-Resp-Kept: 2\r\n' +
          'Content-Length: 2\r\n\r\nok',
      )
    }),
  )
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'GET /hops HTTP/1.1\r\nHost: svc.test\r\nConnection: keep-alive, X-Hop-Custom, x-other-hop\r\n' +
      'Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\n' +
      'X-Hop-Custom: secret\r\nX-Other-Hop: also\r\nX-End-To-End: kept\r\n\r\n',
  )
  const res = await client.response()

  expect(heads).toHaveLength(1)
  expect(heads[0]?.split('\r\n')[0]).toBe('GET /hops HTTP/1.1')
  const sent = headerNames(heads[0] ?? '')
  for (const hop of [
    'connection',
    'keep-alive',
    'proxy-connection',
    'te',
    'upgrade',
    'x-hop-custom',
    'x-other-hop',
  ]) {
    expect(sent).not.toContain(hop)
  }
  expect(sent).toEqual(['host', 'x-end-to-end'])

  expect(res.status).toBe(200)
  expect(res.body.toString()).toBe('ok')
  const got = res.headers.map(([n]) => n.toLowerCase())
  for (const hop of ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'x-resp-hop']) {
    expect(got).not.toContain(hop)
  }
  expect(values(res, 'x-resp-kept')).toEqual(['2'])
})

test('a chunked request body reaches the upstream decoded and intact, streamed as it arrives', async () => {
  const parts: Buffer[] = []
  const seen: { te: string | undefined; cl: string | undefined; body: string }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('latin1')
      seen.push({
        te: req.headers['transfer-encoding'],
        cl: req.headers['content-length'],
        body,
      })
      res.end(`got ${body.length}`)
    })
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'POST /chunked HTTP/1.1\r\nHost: svc.test\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n',
  )
  // The first chunk reaches the upstream before the client has sent the rest.
  await vi.waitFor(() => expect(Buffer.concat(parts).toString()).toBe('hello'), { timeout: 5000 })
  await client.write('1\r\n \r\n8\r\nworld\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n')
  const res = await client.response()

  expect(seen).toEqual([{ te: 'chunked', cl: undefined, body: 'hello world\r\n!' }])
  expect(res.status).toBe(200)
  expect(res.body.toString()).toBe('got 14')
})

test('a chunked response reaches the client chunked and decodes to the same bytes', async () => {
  const binary = Buffer.from([0x30, 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0xff])
  const upstream = await startHttpUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.write('first ')
    res.write(binary)
    res.end(' last')
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /stream HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const res = await client.response()

  expect(res.status).toBe(200)
  expect(res.framing).toBe('chunked')
  expect(values(res, 'transfer-encoding')).toEqual(['chunked'])
  expect(values(res, 'content-length')).toEqual([])
  expect(
    res.body.equals(Buffer.concat([Buffer.from('first '), binary, Buffer.from(' last')])),
  ).toBe(true)
  expect(client.unread.length).toBe(0)
})

test('transfer codings before chunked (gzip, chunked) stay on the body both ways; only the chunking is redone', async () => {
  const gzipped = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0d, 0x0a, 0x30])
  const seen: { te: string | undefined; body: Buffer }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      seen.push({ te: req.headers['transfer-encoding'], body: Buffer.concat(parts) })
      res.writeHead(200, { 'transfer-encoding': 'gzip, chunked' })
      res.end(gzipped)
    })
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    Buffer.concat([
      Buffer.from(
        'POST /up HTTP/1.1\r\nHost: svc.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n7\r\n',
      ),
      gzipped,
      Buffer.from('\r\n0\r\n\r\n'),
    ]),
  )
  const res = await client.response()

  expect(seen).toHaveLength(1)
  expect(seen[0]?.te).toBe('gzip, chunked')
  expect(seen[0]?.body.equals(gzipped)).toBe(true)
  expect(res.framing).toBe('chunked')
  expect(values(res, 'transfer-encoding')).toEqual(['gzip, chunked'])
  expect(res.body.equals(gzipped)).toBe(true)
})

/** A raw upstream whose responses have neither Content-Length nor chunking: the close ends them. */
async function closeDelimitedUpstream() {
  return startRawUpstream((socket) =>
    readRequests(socket, () => {
      socket.write('HTTP/1.1 200 OK\r\nX-Kind: eof\r\n\r\nfirst part, ')
      socket.end('second part')
    }),
  )
}

test('a close-delimited response reaches an HTTP/1.1 client chunked and complete, and its connection stays open', async () => {
  const upstream = await closeDelimitedUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /eof HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const res = await client.response()
  expect(res.status).toBe(200)
  expect(res.framing).toBe('chunked')
  expect(res.body.toString()).toBe('first part, second part')
  expect(values(res, 'connection')).toEqual([])
  expect(values(res, 'x-kind')).toEqual(['eof'])
  expect((await proxy.attempts.at(0)).outcome).toMatchObject({
    kind: 'response',
    complete: true,
    reusable: false,
    bytesSent: 'first part, second part'.length,
  })

  // The client's connection carries another request (on a new upstream connection).
  await client.write('GET /eof HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const again = await client.response()
  expect(again.body.toString()).toBe('first part, second part')
  expect(proxy.pool.opened).toBe(2)
})

test('a close-delimited response reaches an HTTP/1.0 client close-delimited, and the proxy then closes', async () => {
  const upstream = await closeDelimitedUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /eof HTTP/1.0\r\nHost: svc.test\r\n\r\n')
  await client.closed
  const res = await client.response()

  expect(res.status).toBe(200)
  expect(res.framing).toBe('close')
  expect(values(res, 'transfer-encoding')).toEqual([])
  expect(values(res, 'content-length')).toEqual([])
  expect(values(res, 'connection')).toEqual(['close'])
  expect(res.body.toString()).toBe('first part, second part')
})

test('a chunked response reaches an HTTP/1.0 client close-delimited', async () => {
  const upstream = await startHttpUpstream((_req, res) => {
    res.write('one, ')
    res.end('two')
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /old HTTP/1.0\r\nHost: svc.test\r\n\r\n')
  await client.closed
  const res = await client.response()

  expect(res.framing).toBe('close')
  expect(values(res, 'connection')).toEqual(['close'])
  expect(res.body.toString()).toBe('one, two')
})

test('a HEAD response keeps its announced content-length, carries no body, and the connection serves the next request', async () => {
  const upstream = await startHttpUpstream((req, res) => {
    if (req.method === 'HEAD') {
      res.writeHead(200, { 'content-length': '1234', 'content-type': 'application/zip' })
      res.end()
    } else res.end('next')
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('HEAD /archive.zip HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const head = await client.response({ noBody: true })
  expect(head.status).toBe(200)
  expect(values(head, 'content-length')).toEqual(['1234'])
  expect(values(head, 'transfer-encoding')).toEqual([])
  expect((await proxy.attempts.at(0)).outcome).toMatchObject({
    kind: 'response',
    bytesSent: 0,
    complete: true,
    reusable: true,
  })

  await client.write('GET /next HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  // A stray body byte (or chunk terminator) after the HEAD response would break this parse.
  const next = await client.response()
  expect(next.status).toBe(200)
  expect(next.body.toString()).toBe('next')
  expect(proxy.pool.opened).toBe(1)
})

test('a local reply to HEAD announces its body but sends none, and the connection serves the next request', async () => {
  // A port nothing listens on: every request gets the proxy's own 503.
  const closed = createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const port = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const proxy = await startProxy({ upstream: { port } })
  const client = await RawClient.connect(proxy.port)

  await client.write('HEAD /headers HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const head = await client.response({ noBody: true })
  expect(head.status).toBe(503)
  expect(values(head, 'content-length')).toEqual([String('upstream connect error'.length)])
  expect((await proxy.exchanges.at(0)).responseBytes).toBe(0)

  await client.write('GET /headers HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  // A body after the HEAD reply would be read as the start of this response.
  const next = await client.response()
  expect(next.status).toBe(503)
  expect(next.body.toString()).toBe('upstream connect error')
})

test('pipelined requests written in one write are answered in order', async () => {
  const { upstream, seen } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'GET /first HTTP/1.1\r\nHost: svc.test\r\n\r\n' +
      'POST /second HTTP/1.1\r\nHost: svc.test\r\nContent-Length: 3\r\n\r\nabc' +
      'POST /third HTTP/1.1\r\nHost: svc.test\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n',
  )
  const bodies = []
  for (let i = 0; i < 3; i++) bodies.push((await client.response()).body.toString())

  expect(bodies).toEqual(['GET /first ', 'POST /second abc', 'POST /third xy'])
  expect(seen.map((s) => s.url)).toEqual(['/first', '/second', '/third'])
  expect(client.unread.length).toBe(0)
})

test('pipelined requests reuse one upstream connection', async () => {
  const { upstream } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'GET /a HTTP/1.1\r\nHost: svc.test\r\n\r\nGET /b HTTP/1.1\r\nHost: svc.test\r\n\r\nGET /c HTTP/1.1\r\nHost: svc.test\r\n\r\n',
  )
  for (let i = 0; i < 3; i++) await client.response()

  // Each response completes before the next pipelined request is relayed: one connection does.
  expect(proxy.attempts.items.map((a) => a.outcome)).toMatchObject([
    { kind: 'response', reusable: true },
    { kind: 'response', reusable: true },
    { kind: 'response', reusable: true },
  ])
  expect(proxy.pool.opened).toBe(1)
})

test('Expect: 100-continue gets an interim 100 Continue from the proxy itself before the final response, though the upstream never sees Expect', async () => {
  const seen: { expect: string | undefined; body: string }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    onBody(req, res, (body) => {
      seen.push({ expect: req.headers.expect, body: body.toString() })
      res.end(`got ${body}`)
    })
  })
  // As the sidecars do: Expect is answered at the proxy, not forwarded.
  const proxy = await startProxy({ upstream, replace: new Set(['expect']) })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'POST /upload HTTP/1.1\r\nHost: svc.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
  )
  // The client sends its body only once told to continue.
  const interim = await client.response()
  expect(interim.status).toBe(100)
  expect(client.received.toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n')
  await client.write('hello')
  const final = await client.response()

  expect(final.status).toBe(200)
  expect(final.body.toString()).toBe('got hello')
  expect(seen).toEqual([{ expect: undefined, body: 'hello' }])
})

test('Expect: 100-continue forwarded to an upstream that answers 100 itself: the client sees one 100 Continue, then the response', async () => {
  const seen: (string | undefined)[] = []
  const upstream = await startHttpUpstream((req, res) => {
    // node:http has already written its own 100 Continue.
    seen.push(req.headers.expect)
    onBody(req, res, (body) => res.end(`got ${body}`))
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'POST /upload HTTP/1.1\r\nHost: svc.test\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
  )
  expect((await client.response()).status).toBe(100)
  await client.write('hello')
  const final = await client.response()

  expect(final.status).toBe(200)
  expect(final.body.toString()).toBe('got hello')
  expect(seen).toEqual(['100-continue'])
  expect(client.unread.length).toBe(0)
})

test('Expect: 100-Continue is recognised whatever its case (RFC 9110 §10.1.1)', async () => {
  const { upstream } = await echoUpstream()
  const proxy = await startProxy({ upstream, replace: new Set(['expect']) })
  const client = await RawClient.connect(proxy.port)

  // Sent whole so the test cannot hang: the interim response must still come first.
  await client.write(
    'POST /upload HTTP/1.1\r\nHost: svc.test\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\nhello',
  )
  expect((await client.response()).status).toBe(100)
  expect((await client.response()).status).toBe(200)
})

test.each(['content-length', 'chunked'] as const)(
  'an 8 MB %s request body and its 8 MB echo stream through the proxy byte-exact',
  async (framing) => {
    const payload = randomBytes(8 * MB)
    const received: { sha: string; bytes: number; te?: string; cl?: string }[] = []
    const upstream = await startHttpUpstream((req, res) => {
      const h = createHash('sha256')
      let bytes = 0
      req.on('data', (c: Buffer) => {
        h.update(c)
        bytes += c.length
      })
      req.on('end', () => {
        received.push({
          sha: h.digest('hex'),
          bytes,
          ...(req.headers['transfer-encoding'] ? { te: req.headers['transfer-encoding'] } : {}),
          ...(req.headers['content-length'] ? { cl: req.headers['content-length'] } : {}),
        })
      })
      const cl = req.headers['content-length']
      res.writeHead(200, cl ? { 'content-length': cl } : {})
      req.pipe(res)
    })
    const proxy = await startProxy({ upstream })

    const req = request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'POST',
      path: '/echo',
      agent: false,
      headers: framing === 'content-length' ? { 'content-length': String(payload.length) } : {},
    })
    const echoed = handled(
      (once(req, 'response') as Promise<[IncomingMessage]>).then(async ([res]) => {
        const h = createHash('sha256')
        let bytes = 0
        for await (const c of res) {
          h.update(c as Buffer)
          bytes += (c as Buffer).length
        }
        return { status: res.statusCode, sha: h.digest('hex'), bytes, headers: res.headers }
      }),
    )
    await pipeline(Readable.from(slices(payload)), req)
    const got = await echoed

    const expected = sha256(payload)
    expect(received).toEqual([
      framing === 'content-length'
        ? { sha: expected, bytes: payload.length, cl: String(payload.length) }
        : { sha: expected, bytes: payload.length, te: 'chunked' },
    ])
    expect(got).toMatchObject({ status: 200, sha: expected, bytes: payload.length })
    expect(got.headers['transfer-encoding']).toBe(framing === 'chunked' ? 'chunked' : undefined)
  },
)

test('a client that stops reading makes the proxy stop reading the upstream, and nothing is lost when it reads again', async () => {
  const payload = randomBytes(64 * MB)
  const upstream = await startHttpUpstream((_req, res) => {
    res.writeHead(200, { 'content-length': String(payload.length) })
    void pipeline(Readable.from(slices(payload)), res).catch(() => res.destroy())
  })
  const proxy = await startProxy({ upstream })

  const req = request({ host: '127.0.0.1', port: proxy.port, path: '/big', agent: false })
  req.end()
  // The response is not read yet: node:http stops reading the socket once its buffer is full.
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  const toClient = await proxy.downstream.at(0)
  const fromUpstream = await proxy.upstreamSockets.at(0)
  let maxBuffered = 0
  fromUpstream.on('data', () => {
    maxBuffered = Math.max(maxBuffered, toClient.writableLength)
  })

  await vi.waitFor(() => expect(fromUpstream.isPaused()).toBe(true), { timeout: 10_000 })
  expect(toClient.writableLength).toBeLessThan(MB)

  const h = createHash('sha256')
  let bytes = 0
  for await (const c of res) {
    h.update(c as Buffer)
    bytes += (c as Buffer).length
  }
  expect(bytes).toBe(payload.length)
  expect(h.digest('hex')).toBe(sha256(payload))
  // What the proxy holds for a slow client stays near one read, not the whole body.
  expect(maxBuffered).toBeLessThan(MB)
})

test('an upstream that stops reading makes the proxy stop reading the client, and nothing is lost when it reads again', async () => {
  const payload = randomBytes(64 * MB)
  const arrived: { req: IncomingMessage; res: ServerResponse }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    // Not read until the test says so.
    req.pause()
    arrived.push({ req, res })
  })
  const proxy = await startProxy({ upstream })

  const req = putTo(proxy.port, payload.length)
  req.flushHeaders()
  const responded = handled(once(req, 'response') as Promise<[IncomingMessage]>)
  // Head first, so the whole body meets a connected upstream.
  await vi.waitFor(() => expect(arrived).toHaveLength(1), { timeout: 5000 })
  const fromClient = await proxy.downstream.at(0)
  const toUpstream = await proxy.upstreamSockets.at(0)
  let maxBuffered = 0
  fromClient.on('data', () => {
    maxBuffered = Math.max(maxBuffered, toUpstream.writableLength)
  })
  const sent = handled(pipeline(Readable.from(slices(payload)), req))

  await vi.waitFor(() => expect(fromClient.isPaused()).toBe(true), { timeout: 10_000 })
  expect(toUpstream.writableLength).toBeLessThan(MB)

  const { req: upstreamReq, res: upstreamRes } = arrived[0] as (typeof arrived)[number]
  const h = createHash('sha256')
  let bytes = 0
  upstreamReq.on('data', (c: Buffer) => {
    h.update(c)
    bytes += c.length
  })
  upstreamReq.resume()
  await once(upstreamReq, 'end')
  await sent
  expect(bytes).toBe(payload.length)
  expect(h.digest('hex')).toBe(sha256(payload))
  expect(maxBuffered).toBeLessThan(MB)

  upstreamRes.end('stored')
  const [res] = await responded
  expect((await bodyOf(res)).toString()).toBe('stored')
})

test('a request body that arrives before the upstream connection is ready is not buffered without bound', async () => {
  const payload = randomBytes(64 * MB)
  const { wait: gate, open: openGate } = holdable()
  const upstream = await startHttpUpstream((req, res) => {
    onBody(req, res, (b) => res.end(String(b.length)))
  })
  const proxy = await startProxy({ upstream, beforeConnect: () => gate })

  const req = putTo(proxy.port, payload.length)
  const responded = handled(once(req, 'response') as Promise<[IncomingMessage]>)
  const sent = handled(pipeline(Readable.from(slices(payload)), req))
  const fromClient = await proxy.downstream.at(0)

  // Either the proxy stops reading the client (bounded) or it swallows all 64 MB into memory.
  const first = await Promise.race([
    sent.then(() => 'client wrote everything' as const),
    once(fromClient, 'pause').then(() => 'proxy stopped reading' as const),
  ])
  openGate()
  expect(first).toBe('proxy stopped reading')

  await sent
  const [res] = await responded
  expect((await bodyOf(res)).toString()).toBe(String(payload.length))
})

test('flushing a request body buffered while connecting waits on one drain, without piling up drain listeners', async () => {
  const warnings: Error[] = []
  const onWarning = (w: Error) => warnings.push(w)
  process.on('warning', onWarning)
  onTestFinished(() => {
    process.off('warning', onWarning)
  })
  const payload = randomBytes(4 * MB)
  const { wait: gate, open: openGate } = holdable()
  const received: string[] = []
  const upstream = await startHttpUpstream((req, res) => {
    onBody(req, res, (b) => {
      received.push(sha256(b))
      res.end('stored')
    })
  })
  const proxy = await startProxy({ upstream, beforeConnect: () => gate })

  const req = putTo(proxy.port, payload.length)
  const responded = handled(once(req, 'response') as Promise<[IncomingMessage]>)
  const sent = handled(pipeline(Readable.from(slices(payload)), req))
  const ex = await proxy.exchanges.at(0)
  // Many reads' worth of body wait for the connection, then go out in one burst.
  await vi.waitFor(() => expect(ex.bodyBytes).toBeGreaterThanOrEqual(MB), { timeout: 10_000 })
  openGate()
  await sent
  const [res] = await responded
  expect((await bodyOf(res)).toString()).toBe('stored')

  expect(received).toEqual([sha256(payload)])
  expect(
    warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
  ).toEqual([])
})

test('steady sequential requests over one client connection reuse one upstream connection', async () => {
  const { upstream } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  for (let i = 0; i < 10; i++) {
    await client.write(`GET /req/${i} HTTP/1.1\r\nHost: svc.test\r\n\r\n`)
    expect((await client.response()).body.toString()).toBe(`GET /req/${i} `)
  }

  expect(proxy.pool.opened).toBe(1)
  expect(upstream.accepted.items).toHaveLength(1)
  const conns = new Set(proxy.attempts.items.map((a) => a.conn))
  expect(conns.size).toBe(1)
  expect(
    proxy.attempts.items.every((a) => a.outcome.kind === 'response' && a.outcome.reusable),
  ).toBe(true)
  expect(proxy.attempts.items[9]?.conn.requests).toBe(10)
})

test('a pooled connection the upstream closed while idle is not reused: the next request opens a fresh one', async () => {
  const { upstream } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /one HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  await client.response()
  const first = await proxy.attempts.at(0)
  ;(await upstream.accepted.at(0)).socket.destroy()
  await vi.waitFor(() => expect(first.conn.closed).toBe(true), { timeout: 5000 })

  await client.write('GET /two HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  expect((await client.response()).body.toString()).toBe('GET /two ')
  expect(proxy.attempts.items.map((a) => a.outcome.kind)).toEqual(['response', 'response'])
  expect(proxy.attempts.items[1]?.conn).not.toBe(first.conn)
  expect(proxy.pool.opened).toBe(2)
})

test('a stale keep-alive (a reused connection closed with no answer) is a reset with stale: true, and the retry on a fresh connection replays the body', async () => {
  const served = new WeakMap<object, number>()
  const bodies: string[] = []
  const upstream = await startHttpUpstream((req, res) => {
    const n = (served.get(req.socket) ?? 0) + 1
    served.set(req.socket, n)
    if (n === 2) {
      // The keep-alive race: the upstream drops the idle connection as the request arrives.
      req.socket.destroy()
      return
    }
    onBody(req, res, (body) => {
      bodies.push(body.toString())
      res.end(`echo ${body}`)
    })
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('POST /one HTTP/1.1\r\nHost: svc.test\r\nContent-Length: 5\r\n\r\nfirst')
  expect((await client.response()).body.toString()).toBe('echo first')
  await client.write(
    'POST /two HTTP/1.1\r\nHost: svc.test\r\nContent-Length: 11\r\n\r\nsecond body',
  )
  const res = await client.response()

  expect(res.status).toBe(200)
  expect(res.body.toString()).toBe('echo second body')
  const [a, b, c] = proxy.attempts.items
  expect(a?.outcome).toMatchObject({ kind: 'response', reusable: true })
  expect(b?.outcome).toEqual({ kind: 'reset', reason: 'connection termination', stale: true })
  expect(b?.conn).toBe(a?.conn)
  expect(b?.conn.requests).toBe(2)
  expect(c?.outcome).toMatchObject({ kind: 'response', status: 200, complete: true })
  expect(c?.conn).not.toBe(a?.conn)
  expect(c?.conn.requests).toBe(1)
  expect(bodies).toEqual(['first', 'second body'])
  expect(proxy.pool.opened).toBe(2)
})

test('an upstream that sends garbage instead of a response ends the exchange as a reset with reason protocol error', async () => {
  const upstream = await startRawUpstream((socket) =>
    readRequests(socket, () => socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n')),
  )
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET / HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const res = await client.response()

  const attempt = await proxy.attempts.at(0)
  expect(attempt.outcome).toEqual({ kind: 'reset', reason: 'protocol error', stale: false })
  expect(attempt.conn.closed || attempt.conn.socket.destroyed).toBe(true)
  expect(proxy.attempts.items).toHaveLength(1)
  // The harness answers a reset with a local reply: the client is not left hanging.
  expect(res.status).toBe(503)
})

test('garbage on a reused connection is a protocol error, not a stale keep-alive to retry', async () => {
  const upstream = await startRawUpstream((socket) =>
    readRequests(socket, (_req, n) =>
      socket.write(n === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' : 'garbage\r\n\r\n'),
    ),
  )
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /1 HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  await client.response()
  await client.write('GET /2 HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  await client.response()

  // Bytes came back: the upstream answered, badly. A retry would not be "safe to send again".
  expect((await proxy.attempts.at(1)).outcome).toEqual({
    kind: 'reset',
    reason: 'protocol error',
    stale: false,
  })
})

test.each([
  ['content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789', '0123456789'],
  [
    'chunked',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n',
    'a\r\n0123456789\r\n',
  ],
])(
  'an upstream that closes mid-body (%s) ends the outcome incomplete and cuts the client connection',
  async (_framing, wire, clientBody) => {
    const upstream = await startRawUpstream((socket) =>
      readRequests(socket, () => socket.end(wire)),
    )
    const proxy = await startProxy({ upstream })
    const client = await RawClient.connect(proxy.port)

    await client.write('GET /cut HTTP/1.1\r\nHost: svc.test\r\n\r\n')
    await client.closed

    const attempt = await proxy.attempts.at(0)
    expect(attempt.outcome).toMatchObject({
      kind: 'response',
      status: 200,
      bytesSent: 10,
      complete: false,
      reusable: false,
    })
    await expect(client.response()).rejects.toThrow(/closed before a complete response/)
    const text = client.received.toString('latin1')
    const headEnd = text.indexOf('\r\n\r\n')
    expect(text.slice(0, 17)).toBe('HTTP/1.1 200 OK\r\n')
    // The client never sees an end that did not happen (no terminating chunk).
    expect(text.slice(headEnd + 4)).toBe(clientBody)
  },
)

test('a client that disconnects while waiting for the response ends the exchange as downstream-reset and the upstream connection is destroyed', async () => {
  let arrived = 0
  const upstream = await startHttpUpstream(() => {
    // Never answers.
    arrived++
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /slow HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  await vi.waitFor(() => expect(arrived).toBe(1), { timeout: 5000 })
  client.socket.destroy()

  const attempt = await proxy.attempts.at(0)
  expect(attempt.outcome).toEqual({ kind: 'downstream-reset' })
  // relayExchange itself gives the connection up (before the caller's own cleanup).
  expect(attempt.upstreamDestroyed).toBe(true)
  await (await upstream.accepted.at(0)).closed
})

test('a client that disconnects mid-request-body ends the exchange as downstream-reset and the upstream connection is destroyed', async () => {
  const parts: Buffer[] = []
  const upstream = await startHttpUpstream((req) => {
    req.on('data', (c: Buffer) => parts.push(c))
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  await client.write(
    'PUT /file HTTP/1.1\r\nHost: svc.test\r\nContent-Length: 100\r\n\r\n0123456789',
  )
  await vi.waitFor(() => expect(Buffer.concat(parts).toString()).toBe('0123456789'), {
    timeout: 5000,
  })
  client.socket.destroy()

  const attempt = await proxy.attempts.at(0)
  expect(attempt.outcome).toEqual({ kind: 'downstream-reset' })
  // relayExchange itself gives the connection up (before the caller's own cleanup).
  expect(attempt.upstreamDestroyed).toBe(true)
  await (await upstream.accepted.at(0)).closed
})

test('a client that disconnects before the upstream connection is ready ends as downstream-reset, and nothing is sent upstream', async () => {
  const { wait: gate, open: openGate } = holdable()
  const { upstream, seen } = await echoUpstream()
  const proxy = await startProxy({ upstream, beforeConnect: () => gate })
  const client = await RawClient.connect(proxy.port)

  await client.write('POST /order HTTP/1.1\r\nHost: svc.test\r\nContent-Length: 3\r\n\r\nbuy')
  const ex = await proxy.exchanges.at(0)
  client.socket.destroy()
  await vi.waitFor(() => expect(ex.aborted).toBe(true), { timeout: 5000 })
  openGate()

  const attempt = await proxy.attempts.at(0)
  expect(attempt.outcome).toEqual({ kind: 'downstream-reset' })
  expect(seen).toEqual([])
})

test('a malformed request gets 400 Bad Request with connection: close, onProtocolError is told, and other connections are still served', async () => {
  const { upstream } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const before = await RawClient.connect(proxy.port)
  const bad = await RawClient.connect(proxy.port)

  await bad.write(Buffer.from('\x16\x03\x01garbage\r\n\r\n', 'latin1'))
  const res = await bad.response()
  await bad.closed

  expect(res.version).toBe('HTTP/1.1')
  expect(res.status).toBe(400)
  expect(res.reason).toBe('Bad Request')
  expect(values(res, 'connection')).toEqual(['close'])
  expect(bad.unread.length).toBe(0)
  expect(proxy.protocolErrors).toHaveLength(1)
  expect(proxy.protocolErrors[0]?.code).toMatch(/^HPE_/)
  expect(proxy.exchanges.items).toHaveLength(0)

  // A connection opened before, and one opened after, are both served.
  const after = await RawClient.connect(proxy.port)
  for (const client of [before, after]) {
    await client.write('GET /ok HTTP/1.1\r\nHost: svc.test\r\n\r\n')
    expect((await client.response()).body.toString()).toBe('GET /ok ')
  }
})

test('CONNECT hands onUpgrade the head and the bytes after it, byte-exact, and the socket with nothing lost', async () => {
  const { upstream } = await echoUpstream()
  const upgrades: { head: MessageHead; socket: Duplex; rest: Buffer }[] = []
  const proxy = await startProxy({
    upstream,
    onUpgrade: (head, socket, rest) => {
      upgrades.push({ head, socket, rest: Buffer.from(rest) })
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      socket.write(rest)
    },
  })
  const client = await RawClient.connect(proxy.port)

  // Tunnel bytes that look like HTTP must not be parsed as such.
  const early = Buffer.concat([
    Buffer.from('GET /not-http HTTP/1.1\r\n\r\n'),
    Buffer.from([0, 0x16, 0x03, 0x01, 0xff]),
  ])
  await client.write(
    Buffer.concat([
      Buffer.from('CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n'),
      early,
    ]),
  )
  const established = Buffer.from('HTTP/1.1 200 Connection Established\r\n\r\n')
  const expected1 = Buffer.concat([established, early])
  expect((await client.until((b) => b.length >= expected1.length)).equals(expected1)).toBe(true)

  // Bytes that arrive before the new owner reads are held for it, not dropped.
  const late = Buffer.from('later bytes\x00\r\n\r\n', 'latin1')
  await client.write(late)
  const tunnel = upgrades[0]?.socket as Duplex
  await vi.waitFor(() => expect(tunnel.readableLength).toBe(late.length), { timeout: 5000 })
  // The new owner starts reading: an echo tunnel.
  tunnel.pipe(tunnel)
  const expected2 = Buffer.concat([expected1, late])
  expect((await client.until((b) => b.length >= expected2.length)).equals(expected2)).toBe(true)

  expect(upgrades).toHaveLength(1)
  expect(upgrades[0]?.head.method).toBe('CONNECT')
  expect(upgrades[0]?.head.url).toBe('db.internal:5432')
  expect(upgrades[0]?.head.headers).toEqual(['Host', 'db.internal:5432'])
  expect(upgrades[0]?.rest.equals(early)).toBe(true)
  expect(proxy.exchanges.items).toHaveLength(0)
  expect(proxy.pool.opened).toBe(0)
})

test('a request head (and body) arriving one byte per read is framed correctly', async () => {
  const { upstream, seen } = await echoUpstream()
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)
  const serverSide = await proxy.downstream.at(0)

  const wire = Buffer.from(
    'POST /split/path?q=1 HTTP/1.1\r\nHost: svc.test\r\nX-Long-Header-Name: a value, with spaces\r\nContent-Length: 4\r\n\r\nbody',
  )
  for (const byte of wire) {
    const read = once(serverSide, 'data') as Promise<[Buffer]>
    await client.write(Buffer.of(byte))
    const [chunk] = await read
    expect(chunk.length).toBe(1)
  }
  const res = await client.response()

  expect(res.body.toString()).toBe('POST /split/path?q=1 body')
  expect(seen[0]?.rawHeaders).toEqual([
    'Host',
    'svc.test',
    'X-Long-Header-Name',
    'a value, with spaces',
    'content-length',
    '4',
  ])
})

test('a response head (and body) arriving one byte per read is framed correctly', async () => {
  const wire = Buffer.from(
    'HTTP/1.1 202 Accepted For Later\r\nContent-Type: text/plain\r\nX-Split: yes\r\nContent-Length: 5\r\n\r\nhello',
  )
  let proxyRef: Awaited<ReturnType<typeof startProxy>> | undefined
  const upstream = await startRawUpstream((socket) =>
    readRequests(socket, () => {
      void (async () => {
        const proxySide = await (proxyRef as NonNullable<typeof proxyRef>).upstreamSockets.at(0)
        for (const byte of wire) {
          const read = once(proxySide, 'data')
          socket.write(Buffer.of(byte))
          await read
        }
      })().catch(() => socket.destroy())
    }),
  )
  const proxy = await startProxy({ upstream })
  proxyRef = proxy
  const client = await RawClient.connect(proxy.port)

  await client.write('GET /slow-head HTTP/1.1\r\nHost: svc.test\r\n\r\n')
  const res = await client.response()

  expect(res.status).toBe(202)
  expect(res.reason).toBe('Accepted For Later')
  expect(values(res, 'x-split')).toEqual(['yes'])
  expect(values(res, 'content-type')).toEqual(['text/plain'])
  expect(res.body.toString()).toBe('hello')
  expect((await proxy.attempts.at(0)).outcome).toMatchObject({ complete: true, reusable: true })
})

test('more than 32 headers (llhttp hands them over early in batches) all arrive, in order, both ways', async () => {
  const names = Array.from({ length: 100 }, (_, i) => `X-H-${String(i).padStart(3, '0')}`)
  const responseHeaders = names.flatMap((n, i) => [n.replace('X-H', 'X-R'), `r${i}`])
  const seen: { url: string; rawHeaders: string[] }[] = []
  const upstream = await startHttpUpstream((req, res) => {
    seen.push({ url: req.url ?? '', rawHeaders: req.rawHeaders })
    res.writeHead(200, [...responseHeaders, 'Content-Length', '2'])
    res.end('ok')
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)

  const url = `/${'long-path-segment/'.repeat(100)}?q=${'v'.repeat(500)}`
  const requestHeaders = names.flatMap((n, i) => [n, `value-${i}`])
  let head = `GET ${url} HTTP/1.1\r\nHost: svc.test\r\n`
  for (let i = 0; i < requestHeaders.length; i += 2)
    head += `${requestHeaders[i]}: ${requestHeaders[i + 1]}\r\n`
  await client.write(`${head}\r\n`)
  const res = await client.response()

  expect(seen).toHaveLength(1)
  expect(seen[0]?.url).toBe(url)
  expect(seen[0]?.rawHeaders).toEqual(['Host', 'svc.test', ...requestHeaders])
  const relayed = res.headers.filter(([n]) => n.startsWith('X-R-')).flat()
  expect(relayed).toEqual(responseHeaders)
  expect(res.body.toString()).toBe('ok')
})

test('header bytes outside ASCII cross the proxy unchanged both ways (no UTF-8 re-encoding)', async () => {
  // RFC 9110 obs-text: a header value byte 0xE9 must arrive as one byte 0xE9, not as C3 A9.
  const received: Buffer[] = []
  const upstream = await startRawUpstream((socket) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk)
      if (!Buffer.concat(received).includes('\r\n\r\n')) return
      socket.write(
        Buffer.concat([
          Buffer.from('HTTP/1.1 200 OK\r\nX-Reply: caf'),
          Buffer.from([0xe9]),
          Buffer.from('\r\nContent-Length: 2\r\n\r\nok'),
        ]),
      )
    })
  })
  const proxy = await startProxy({ upstream })
  const client = await RawClient.connect(proxy.port)
  await client.write(
    Buffer.concat([
      Buffer.from('GET /bytes HTTP/1.1\r\nHost: svc.test\r\nX-Name: caf'),
      Buffer.from([0xe9]),
      Buffer.from('\r\n\r\n'),
    ]),
  )
  const res = await client.response()
  expect(res.status).toBe(200)
  const head = Buffer.concat(received)
  expect(head.includes(Buffer.from([0x66, 0xe9, 0x0d, 0x0a]))).toBe(true)
  expect(head.includes(Buffer.from([0xc3, 0xa9]))).toBe(false)
  expect(client.received.includes(Buffer.from([0x66, 0xe9, 0x0d, 0x0a]))).toBe(true)
  expect(client.received.includes(Buffer.from([0xc3, 0xa9]))).toBe(false)
})
