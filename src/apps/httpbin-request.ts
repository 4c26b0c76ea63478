// How httpbin describes the request it received (its helpers.get_dict): query args, headers as
// Werkzeug spells them, origin and url, plus the body as form and data for /delay.

import type { FastifyRequest } from 'fastify'

type Args = Record<string, string | string[]>

// helpers.ENV_HEADERS: what a proxy in front adds, hidden unless the query has `show_env`.
const ENV_HEADERS = new Set([
  'X-Varnish',
  'X-Request-Start',
  'X-Heroku-Queue-Depth',
  'X-Real-Ip',
  'X-Forwarded-Proto',
  'X-Forwarded-Protocol',
  'X-Forwarded-Ssl',
  'X-Heroku-Queue-Wait-Time',
  'X-Forwarded-For',
  'X-Heroku-Dynos-In-Use',
  'X-Forwarded-Port',
  'X-Request-Id',
  'Via',
  'Total-Route-Time',
  'Connect-Time',
])

/** Python's str.title(), which Werkzeug applies to header names: `x-b3-traceid` -> `X-B3-Traceid`. */
function titleCase(name: string): string {
  let out = ''
  let afterLetter = false
  for (const c of name) {
    const letter = c.toLowerCase() !== c.toUpperCase()
    out += letter ? (afterLetter ? c.toLowerCase() : c.toUpperCase()) : c
    afterLetter = letter
  }
  return out
}

/** Werkzeug's MultiDict flattened as httpbin's semiflatten does: one value plain, several a list. */
function semiflatten(params: URLSearchParams): Args {
  const grouped = new Map<string, string[]>()
  for (const [key, value] of params) {
    const values = grouped.get(key)
    if (values) values.push(value)
    else grouped.set(key, [value])
  }
  return Object.fromEntries(
    [...grouped].map(([key, values]) => [key, values.length === 1 ? (values[0] ?? '') : values]),
  )
}

function query(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?')
  return new URLSearchParams(at === -1 ? '' : request.url.slice(at + 1))
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

function headers(request: FastifyRequest): Record<string, string> {
  const showEnv = query(request).has('show_env')
  const out: [string, string][] = []
  for (const name of Object.keys(request.headers)) {
    const title = titleCase(name)
    const value = header(request, name)
    if (value !== undefined && (showEnv || !ENV_HEADERS.has(title))) out.push([title, value])
  }
  return Object.fromEntries(out)
}

function origin(request: FastifyRequest): string {
  const remote = request.socket.remoteAddress ?? ''
  return header(request, 'x-forwarded-for') ?? remote.replace(/^::ffff:/, '')
}

/** helpers.get_url: the request URL, with the scheme a proxy in front says the client used. */
function url(request: FastifyRequest): string {
  let scheme = header(request, 'x-forwarded-proto') || header(request, 'x-forwarded-protocol')
  if (!scheme && header(request, 'x-forwarded-ssl') === 'on') scheme = 'https'
  const socket = request.socket
  const host = header(request, 'host') ?? `${socket.localAddress}:${socket.localPort}`
  return `${scheme || 'http'}://${host}${request.url}`
}

/** What /get shows. */
export function describeGet(request: FastifyRequest) {
  return {
    args: semiflatten(query(request)),
    headers: headers(request),
    origin: origin(request),
    url: url(request),
  }
}

/** What /delay shows: /get's fields plus the body as form (when urlencoded), data and files. */
export function describeWithBody(request: FastifyRequest) {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
  const urlencoded = /^application\/x-www-form-urlencoded\b/i.test(
    header(request, 'content-type') ?? '',
  )
  return {
    ...describeGet(request),
    form: urlencoded ? semiflatten(new URLSearchParams(body.toString('utf8'))) : {},
    data: urlencoded ? '' : jsonSafe(body),
    files: {},
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** helpers.json_safe: UTF-8 text as is, anything else as a base64 data: URL. */
function jsonSafe(body: Buffer): string {
  try {
    return utf8.decode(body)
  } catch {
    return `data:application/octet-stream;base64,${body.toString('base64')}`
  }
}
