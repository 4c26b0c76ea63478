// A VirtualService's http routes, checked as Istio's validateHTTPRoute does (route, redirect or
// directResponse; weights; retries, faults, rewrites) and converted to the model. Features meshsim
// does not emulate are accepted with a warning; redirect and delegate, which it cannot honour,
// are refused.

import type { HttpRoute } from '../../model/index.ts'
import { re2Problem } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { checkDestination, checkRouteDestinations, toRouteDestinations } from './destinations.ts'
import { checkMatch, toMatch } from './http-match.ts'
import type { Path, Report } from './report.ts'
import type { HttpRouteInput } from './schema.ts'
import { checkDuration, notEmulated, unsupported } from './values.ts'

const RETRY_ON = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
])

function checkConflicts(r: Report, path: Path, h: HttpRouteInput): void {
  const both = (a: string, b: keyof HttpRouteInput) =>
    r.error(
      ProblemCode.Conflict,
      [...path, b],
      `an http route cannot have both ${a} and ${b}`,
      'key',
    )
  if (h.redirect) {
    if (h.route && h.route.length > 0) both('redirect', 'route')
    if (h.fault) both('redirect', 'fault')
    if (h.rewrite) both('redirect', 'rewrite')
    if (h.directResponse) both('redirect', 'directResponse')
  } else if (h.directResponse) {
    if (h.route && h.route.length > 0) both('directResponse', 'route')
    if (h.fault) both('directResponse', 'fault')
    if (h.rewrite) both('directResponse', 'rewrite')
  } else if ((!h.route || h.route.length === 0) && !h.delegate) {
    r.error(
      ProblemCode.MissingField,
      path,
      'an http route needs route (destinations), directResponse or redirect',
    )
  }
  if (h.mirror && h.mirrors) both('mirror', 'mirrors')
}

function checkDirectResponse(r: Report, path: Path, h: HttpRouteInput): void {
  const body = h.directResponse?.body
  if (!body) return
  if (body.string !== undefined && body.bytes !== undefined)
    r.error(
      ProblemCode.Conflict,
      [...path, 'body', 'bytes'],
      'a body has either string or bytes, not both',
      'key',
    )
  if (body.bytes !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(body.bytes))
    r.error(ProblemCode.BadValue, [...path, 'body', 'bytes'], 'bytes must be base64')
  const size =
    body.string !== undefined
      ? Buffer.byteLength(body.string)
      : Buffer.byteLength(body.bytes ?? '', 'base64')
  if (size > 1024 * 1024)
    r.error(ProblemCode.BadValue, [...path, 'body'], 'a direct response body must be under 1 MB')
  else if (size > 100 * 1024)
    r.warn(
      ProblemCode.IstioWarning,
      [...path, 'body'],
      'a direct response body over 100 KB slows the control plane down',
      'key',
    )
}

function checkExtras(r: Report, path: Path, h: HttpRouteInput): void {
  if (h.delegate)
    unsupported(r, [...path, 'delegate'], 'delegate VirtualServices', 'this route would go nowhere')
  if (h.redirect) {
    const rd = h.redirect
    if (!rd.uri && !rd.authority && rd.port === undefined && !rd.scheme)
      r.error(
        ProblemCode.MissingField,
        [...path, 'redirect'],
        'redirect needs uri, authority, scheme or port',
      )
    if (rd.redirectCode !== undefined && (rd.redirectCode < 300 || rd.redirectCode > 399))
      r.error(
        ProblemCode.BadValue,
        [...path, 'redirect', 'redirectCode'],
        'redirectCode must be 3xx',
      )
    if (rd.scheme !== undefined && rd.scheme !== 'http' && rd.scheme !== 'https')
      r.error(ProblemCode.BadValue, [...path, 'redirect', 'scheme'], 'scheme must be http or https')
    unsupported(r, [...path, 'redirect'], 'redirect', 'this route would have no action')
  }
  if (h.rewrite) {
    const rw = h.rewrite
    if (rw.uri && rw.uriRegexRewrite)
      r.error(
        ProblemCode.Conflict,
        [...path, 'rewrite', 'uriRegexRewrite'],
        'rewrite has either uri or uriRegexRewrite, not both',
        'key',
      )
    if (!rw.uri && !rw.uriRegexRewrite && !rw.authority)
      r.error(
        ProblemCode.MissingField,
        [...path, 'rewrite'],
        'rewrite needs uri, uriRegexRewrite or authority',
      )
    const re = rw.uriRegexRewrite?.match
    const p = re ? re2Problem(re) : undefined
    if (p && !p.unsupported)
      r.error(
        ProblemCode.BadRegex,
        [...path, 'rewrite', 'uriRegexRewrite', 'match'],
        `regex is not valid RE2: ${p.message}`,
      )
    notEmulated(r, [...path, 'rewrite'], 'rewrite')
  }
  if (h.timeout !== undefined) {
    checkDuration(r, [...path, 'timeout'], h.timeout)
    notEmulated(r, [...path, 'timeout'], 'timeout')
  }
  if (h.retries) {
    const rt = h.retries
    const at = [...path, 'retries']
    if ((rt.attempts ?? 0) < 0)
      r.error(ProblemCode.BadValue, [...at, 'attempts'], 'attempts must be 0 or more')
    if (
      (rt.attempts ?? 0) === 0 &&
      (rt.perTryTimeout || rt.retryOn || rt.retryRemoteLocalities !== undefined)
    )
      r.error(
        ProblemCode.Conflict,
        at,
        'a retry policy is set while attempts is 0, which turns retries off',
        'key',
      )
    checkDuration(r, [...at, 'perTryTimeout'], rt.perTryTimeout)
    checkDuration(r, [...at, 'backoff'], rt.backoff)
    for (const policy of (rt.retryOn ?? '').split(',').filter((p) => p !== '')) {
      const code = Number(policy)
      if (!RETRY_ON.has(policy) && !(Number.isInteger(code) && code >= 100 && code <= 599))
        r.error(
          ProblemCode.BadValue,
          [...at, 'retryOn'],
          `"${policy}" is not a retryOn policy (5xx, gateway-error, reset, connect-failure, an HTTP status...)`,
        )
    }
    notEmulated(r, at, 'retries')
  }
  if (h.fault) {
    const f = h.fault
    const at = [...path, 'fault']
    if (!f.abort && !f.delay)
      r.error(ProblemCode.MissingField, at, 'fault injection needs abort and/or delay')
    for (const part of ['abort', 'delay'] as const) {
      const v = f[part]?.percentage?.value
      if (v !== undefined && (v < 0 || v > 100 || (v > 0 && v < 0.0001)))
        r.error(
          ProblemCode.BadValue,
          [...at, part, 'percentage', 'value'],
          'percentage must be 0, or from 0.0001 to 100',
        )
    }
    const status = f.abort?.httpStatus
    if (status !== undefined && (status < 200 || status > 600))
      r.error(ProblemCode.BadValue, [...at, 'abort', 'httpStatus'], 'httpStatus must be 200 to 599')
    if (f.abort?.http2Error !== undefined)
      r.error(
        ProblemCode.BadValue,
        [...at, 'abort', 'http2Error'],
        'Istio does not support HTTP/2 abort fault injection yet',
      )
    if (f.delay?.exponentialDelay !== undefined)
      r.error(
        ProblemCode.BadValue,
        [...at, 'delay', 'exponentialDelay'],
        'Istio does not support exponentialDelay yet',
      )
    checkDuration(r, [...at, 'delay', 'fixedDelay'], f.delay?.fixedDelay)
    notEmulated(r, at, 'fault injection')
  }
  if (h.mirror) {
    checkDestination(r, [...path, 'mirror'], h.mirror)
    notEmulated(r, [...path, 'mirror'], 'mirror')
  }
  if (h.mirrors) {
    h.mirrors.forEach((m, k) => {
      checkDestination(r, [...path, 'mirrors', k, 'destination'], m.destination)
    })
    notEmulated(r, [...path, 'mirrors'], 'mirrors')
  }
  const mp = h.mirrorPercentage?.value
  if (mp !== undefined && (mp < 0 || mp > 100))
    r.error(ProblemCode.BadValue, [...path, 'mirrorPercentage'], 'mirrorPercentage is 0 to 100')
  if (h.mirrorPercent !== undefined) {
    if (h.mirrorPercent > 100)
      r.error(ProblemCode.BadValue, [...path, 'mirrorPercent'], 'mirrorPercent is at most 100')
    r.warn(
      ProblemCode.IstioWarning,
      [...path, 'mirrorPercent'],
      'mirrorPercent is deprecated; use mirrorPercentage',
      'key',
    )
  }
  if (h.corsPolicy) notEmulated(r, [...path, 'corsPolicy'], 'corsPolicy')
  if (h.headers) notEmulated(r, [...path, 'headers'], 'header manipulation')
  h.route?.forEach((rd, k) => {
    if (rd.headers) notEmulated(r, [...path, 'route', k, 'headers'], 'header manipulation')
  })
}

/** Checks http[i]; `forGateway` when the VirtualService binds to gateways only. */
export function checkHttpRoute(r: Report, path: Path, h: HttpRouteInput, forGateway: boolean) {
  checkConflicts(r, path, h)
  h.match?.forEach((m, j) => {
    checkMatch(r, [...path, 'match', j], m, forGateway)
  })
  if (h.route) checkRouteDestinations(r, [...path, 'route'], h.route)
  checkDirectResponse(r, [...path, 'directResponse'], h)
  checkExtras(r, path, h)
}

export function toHttpRoute(h: HttpRouteInput): HttpRoute {
  const dr = h.directResponse
  const body =
    dr?.body?.string ??
    (dr?.body?.bytes !== undefined
      ? Buffer.from(dr.body.bytes, 'base64').toString('utf8')
      : undefined)
  return {
    ...(h.name !== undefined ? { name: h.name } : {}),
    ...(h.match ? { match: h.match.map(toMatch) } : {}),
    ...(h.route ? { route: toRouteDestinations(h.route) } : {}),
    ...(dr
      ? {
          directResponse: {
            status: dr.status,
            ...(body !== undefined ? { body: { string: body } } : {}),
          },
        }
      : {}),
  }
}
