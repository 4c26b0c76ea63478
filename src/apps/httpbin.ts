// The part of httpbin (the kennethreitz/httpbin image in Istio's samples/httpbin) that Istio's
// tasks use: /get, /headers, /ip, /status/:codes, /delay/:seconds and /bytes/:n.

import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, HTTPMethods } from 'fastify'
import { flaskApp, HTML, jsonify } from './flask.ts'
import { describeGet, describeWithBody } from './httpbin-request.ts'

const JSON_TYPE = 'application/json'
const ANY_METHOD: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']
const MAX_DELAY_SECONDS = 10
const MAX_BYTES = 100 * 1024

const TEAPOT = [
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
].join('\n')

const REDIRECT = { headers: { location: '/redirect/1' } }
const FAKE_REALM = 'Basic realm="Fake Realm"'

/** helpers.status_code: the codes httpbin dresses up with a body or headers. */
const STATUS_EXTRAS: Readonly<
  Record<number, { body?: string; type?: string; headers?: Record<string, string> }>
> = {
  301: REDIRECT,
  302: REDIRECT,
  303: REDIRECT,
  305: REDIRECT,
  307: REDIRECT,
  401: { headers: { 'www-authenticate': FAKE_REALM } },
  402: { body: 'Fuck you, pay me!', headers: { 'x-more-info': 'http://vimeo.com/22053820' } },
  406: {
    body: '{"message": "Client did not request a supported media type.", "accept": ["image/webp", "image/svg+xml", "image/jpeg", "image/png", "image/*"]}',
    type: JSON_TYPE,
  },
  407: { headers: { 'proxy-authenticate': FAKE_REALM } },
  418: { body: TEAPOT, headers: { 'x-more-info': 'http://tools.ietf.org/html/rfc2324' } },
}

const INTEGER = /^\s*[+-]?\d+\s*$/
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/

/**
 * `/status/503`, or a weighted pick like `/status/200:0.9,503:0.1`. Undefined when httpbin would
 * refuse it, and for codes node cannot send as a final response (outside 200-599).
 */
function pickStatus(codes: string): number | undefined {
  if (!codes.includes(',')) return INTEGER.test(codes) ? sendable(Number(codes)) : undefined
  const choices: { code: number; weight: number }[] = []
  for (const choice of codes.split(',')) {
    const [code = '', weight = '1', ...rest] = choice.split(':')
    if (rest.length > 0 || !INTEGER.test(code) || !DECIMAL.test(weight)) return undefined
    if (Number(weight) < 0) return undefined
    choices.push({ code: Number(code), weight: Number(weight) })
  }
  // utils.weighted_choice: a uniform point on the cumulative weights.
  let x = Math.random() * choices.reduce((sum, c) => sum + c.weight, 0)
  for (const { code, weight } of choices) {
    if (x < weight) return sendable(code)
    x -= weight
  }
  // Only rounding gets here (or all weights 0, which httpbin fails on too).
  const last = choices.findLast((c) => c.weight > 0)
  return last && sendable(last.code)
}

function sendable(code: number): number | undefined {
  return code >= 200 && code <= 599 ? code : undefined
}

/** The seconds /delay waits: httpbin's min(float(delay), 10); undefined when not a number >= 0. */
function delaySeconds(text: string): number | undefined {
  if (/^\s*\+?inf(inity)?\s*$/i.test(text)) return MAX_DELAY_SECONDS
  if (!DECIMAL.test(text)) return undefined
  const seconds = Number(text)
  return seconds >= 0 ? Math.min(seconds, MAX_DELAY_SECONDS) : undefined
}

// Sent as bytes, or fastify would add `; charset=utf-8` to the JSON type Flask sends bare.
function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.type(JSON_TYPE).send(Buffer.from(jsonify(value)))
}

export function buildHttpbin(): FastifyInstance {
  const app = flaskApp('legacy')
  const delays = new Set<NodeJS.Timeout>()

  // httpbin's after_request CORS headers, on every response.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('access-control-allow-origin', request.headers.origin ?? '*')
    reply.header('access-control-allow-credentials', 'true')
    done(null, payload)
  })
  app.addHook('onClose', (_app, done) => {
    for (const timer of delays) clearTimeout(timer)
    delays.clear()
    done()
  })

  app.get('/get', (request, reply) => sendJson(reply, describeGet(request)))
  app.get('/headers', (request, reply) =>
    sendJson(reply, { headers: describeGet(request).headers }),
  )
  app.get('/ip', (request, reply) => sendJson(reply, { origin: describeGet(request).origin }))

  app.route<{ Params: { codes: string } }>({
    method: ANY_METHOD,
    url: '/status/:codes',
    handler(request, reply) {
      if (request.params.codes === '') return reply.callNotFound()
      const code = pickStatus(request.params.codes)
      if (code === undefined) return reply.code(400).type(HTML).send('Invalid status code')
      const extras = STATUS_EXTRAS[code] ?? {}
      return reply
        .code(code)
        .headers(extras.headers ?? {})
        .type(extras.type ?? HTML)
        .send(Buffer.from(extras.body ?? ''))
    },
  })

  app.route<{ Params: { seconds: string } }>({
    method: ANY_METHOD,
    url: '/delay/:seconds',
    handler(request, reply) {
      if (request.params.seconds === '') return reply.callNotFound()
      const seconds = delaySeconds(request.params.seconds)
      if (seconds === undefined) return reply.code(400).type(HTML).send('Invalid delay')
      const timer = setTimeout(() => {
        delays.delete(timer)
        sendJson(reply, describeWithBody(request))
      }, seconds * 1000)
      delays.add(timer)
      // The client gave up (or the server is closing): nothing left to answer.
      reply.raw.once('close', () => {
        clearTimeout(timer)
        delays.delete(timer)
      })
      return reply
    },
  })

  // Werkzeug's <int:n>: digits only, anything else is an unknown URL.
  app.get<{ Params: { n: string } }>('/bytes/:n(^\\d+$)', (request, reply) => {
    const n = Math.min(Number(request.params.n), MAX_BYTES)
    return reply.type('application/octet-stream').send(randomBytes(n))
  })

  return app
}
