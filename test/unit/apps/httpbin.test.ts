import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, expect, test, vi } from 'vitest'
import { buildHttpbin } from '../../../src/apps/index.ts'
import { until } from './sockets.ts'

const app = buildHttpbin()
afterAll(() => app.close())
afterEach(() => {
  vi.useRealTimers()
})

const curl = { host: 'httpbin:8000', 'user-agent': 'curl/8.5.0', accept: '*/*' }

test('/get answers args, headers, origin and url as Flask jsonify prints them', async () => {
  const res = await app.inject({ url: '/get?show=1&a=x&a=y', headers: curl })
  expect(res.statusCode).toBe(200)
  expect(res.headers['content-type']).toBe('application/json')
  expect(res.body).toBe(
    `{
  "args": {
    "a": [
      "x",
      "y"
    ],
    "show": "1"
  },
  "headers": {
    "Accept": "*/*",
    "Host": "httpbin:8000",
    "User-Agent": "curl/8.5.0"
  },
  "origin": "127.0.0.1",
  "url": "http://httpbin:8000/get?show=1&a=x&a=y"
}
`,
  )
})

test('non-ASCII text is escaped as Python json.dumps does', async () => {
  const res = await app.inject({ url: '/get?city=Z%C3%BCrich', headers: curl })
  expect(res.body).toContain('"city": "Z\\u00fcrich"')
  expect(res.json().args).toEqual({ city: 'Zürich' })
})

test('/headers spells names as Werkzeug does and hides what a proxy in front adds', async () => {
  const res = await app.inject({
    url: '/headers',
    headers: {
      ...curl,
      'x-b3-traceid': '80f3b2d5b2b4e3a1',
      'x-envoy-attempt-count': '1',
      'x-forwarded-client-cert': 'By=spiffe://cluster.local/ns/foo/sa/httpbin',
      'x-forwarded-proto': 'http',
      'x-request-id': '2b1f1c1e-0000-4000-8000-000000000000',
      'x-forwarded-for': '10.10.0.9',
    },
  })
  expect(res.json()).toEqual({
    headers: {
      Accept: '*/*',
      Host: 'httpbin:8000',
      'User-Agent': 'curl/8.5.0',
      'X-B3-Traceid': '80f3b2d5b2b4e3a1',
      'X-Envoy-Attempt-Count': '1',
      'X-Forwarded-Client-Cert': 'By=spiffe://cluster.local/ns/foo/sa/httpbin',
    },
  })
})

test('?show_env shows the headers /headers hides by default', async () => {
  const res = await app.inject({
    url: '/get?show_env=1',
    headers: { 'x-request-id': 'abc', 'x-forwarded-proto': 'https' },
  })
  const body = res.json()
  expect(body.headers['X-Request-Id']).toBe('abc')
  expect(body.headers['X-Forwarded-Proto']).toBe('https')
  expect(body.url).toMatch(/^https:\/\//)
})

test('/ip is the x-forwarded-for header when a proxy set one, else the peer address', async () => {
  const direct = await app.inject({ url: '/ip', remoteAddress: '10.10.0.7' })
  expect(direct.body).toBe('{\n  "origin": "10.10.0.7"\n}\n')
  const proxied = await app.inject({
    url: '/ip',
    remoteAddress: '127.0.0.6',
    headers: { 'x-forwarded-for': '10.20.0.3' },
  })
  expect(proxied.json()).toEqual({ origin: '10.20.0.3' })
})

test.each([
  ['GET', 503],
  ['POST', 500],
  ['DELETE', 204],
  ['PATCH', 429],
] as const)('%s /status/%i answers that code with an empty body', async (method, code) => {
  const res = await app.inject({ method, url: `/status/${code}`, payload: 'ignored' })
  expect(res.statusCode).toBe(code)
  expect(res.body).toBe('')
})

test('/status/418 is the teapot', async () => {
  const res = await app.inject({ url: '/status/418' })
  expect(res.statusCode).toBe(418)
  expect(res.headers['x-more-info']).toBe('http://tools.ietf.org/html/rfc2324')
  expect(res.body).toBe(
    [
      '',
      '    -=[ teapot ]=-',
      '',
      '       _...._',
      "     .'  _ _ `.",
      '    | ."` ^ `". _,',
      '    \\_;`"---"`|//',
      '      |       ;/',
      '      \\_     _/',
      '        `"""`',
      '',
    ].join('\n'),
  )
})

test('/status adds the headers httpbin adds to redirects and auth challenges', async () => {
  const moved = await app.inject({ url: '/status/302' })
  expect(moved.headers.location).toBe('/redirect/1')
  const denied = await app.inject({ url: '/status/401' })
  expect(denied.headers['www-authenticate']).toBe('Basic realm="Fake Realm"')
})

test('/status picks among weighted codes', async () => {
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({ url: '/status/200:0,503:1' })
    expect(res.statusCode).toBe(503)
  }
})

test.each(['abc', '20x', '200:1', '200:x,500', '-1', '99', '600', '100'])(
  '/status/%s is refused with 400',
  async (codes) => {
    const res = await app.inject({ url: `/status/${codes}` })
    expect(res.statusCode).toBe(400)
    expect(res.body).toBe('Invalid status code')
  },
)

test('/delay/0 answers at once with the request, body included', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/delay/0?x=1',
    headers: { ...curl, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'name=mesh&name=sim',
  })
  expect(res.statusCode).toBe(200)
  const body = res.json()
  expect(Object.keys(body)).toEqual(['args', 'data', 'files', 'form', 'headers', 'origin', 'url'])
  expect(body.args).toEqual({ x: '1' })
  expect(body.form).toEqual({ name: ['mesh', 'sim'] })
  expect(body.url).toBe('http://httpbin:8000/delay/0?x=1')
})

test('/delay shows a binary body as a data: URL', async () => {
  const res = await app.inject({
    method: 'PUT',
    url: '/delay/0',
    payload: Buffer.from([0xff, 0x00, 0x01]),
  })
  expect(res.json().data).toBe('data:application/octet-stream;base64,/wAB')
})

test.each(['abc', '-1', 'nan', '1s'])('/delay/%s is refused with 400', async (seconds) => {
  const res = await app.inject({ url: `/delay/${seconds}` })
  expect(res.statusCode).toBe(400)
})

test('/delay waits at most 10 seconds, whatever it is asked', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  const delayed = buildHttpbin()
  let settled = false
  const pending = delayed.inject({ url: '/delay/3600' }).then((res) => {
    settled = true
    return res
  })
  await until(() => vi.getTimerCount() === 1)
  vi.advanceTimersByTime(9_999)
  await new Promise((resolve) => setImmediate(resolve))
  expect(settled).toBe(false)
  vi.advanceTimersByTime(1)
  expect((await pending).statusCode).toBe(200)
  await delayed.close()
})

test('closing the app cancels the timer of a pending /delay', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  const delayed = buildHttpbin()
  void delayed.inject({ url: '/delay/5' }).catch(() => {})
  await until(() => vi.getTimerCount() === 1)
  await delayed.close()
  expect(vi.getTimerCount()).toBe(0)
})

test('a client hanging up cancels the timer of its /delay', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  const delayed = buildHttpbin()
  await delayed.listen({ host: '127.0.0.1', port: 0 })
  const { port } = delayed.server.address() as AddressInfo
  const req = httpRequest({ host: '127.0.0.1', port, path: '/delay/10', agent: false })
  req.on('error', () => {})
  req.end()
  await until(() => vi.getTimerCount() === 1)
  req.destroy()
  await until(() => vi.getTimerCount() === 0)
  await delayed.close()
})

test('/bytes/n answers n random bytes', async () => {
  const a = await app.inject({ url: '/bytes/32' })
  const b = await app.inject({ url: '/bytes/32' })
  expect(a.headers['content-type']).toBe('application/octet-stream')
  expect(a.rawPayload).toHaveLength(32)
  expect(a.rawPayload.equals(b.rawPayload)).toBe(false)
})

test('/bytes caps n at 100 KiB, as httpbin does', async () => {
  const res = await app.inject({ url: '/bytes/500000' })
  expect(res.rawPayload).toHaveLength(100 * 1024)
})

test.each(['/bytes/-1', '/bytes/ten', '/status/', '/delay/', '/no/such/page'])(
  "%s is a 404 with Werkzeug 0.x's page",
  async (url) => {
    const res = await app.inject({ url })
    expect(res.statusCode).toBe(404)
    expect(res.body).toContain('<title>404 Not Found</title>')
    expect(res.body).toMatch(/^<!DOCTYPE HTML PUBLIC/)
  },
)

test('every answer carries httpbin CORS headers, echoing the Origin', async () => {
  const res = await app.inject({ url: '/ip', headers: { origin: 'http://example.com' } })
  expect(res.headers['access-control-allow-origin']).toBe('http://example.com')
  expect(res.headers['access-control-allow-credentials']).toBe('true')
  const bare = await app.inject({ url: '/status/500' })
  expect(bare.headers['access-control-allow-origin']).toBe('*')
})
