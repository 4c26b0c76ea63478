// Checks shared by the four kinds, after Istio's validation.go: durations, label maps, exportTo,
// protocol and port names, gateway references, and the "accepted, not emulated" warnings.

import { ProblemCode } from '../errors.ts'
import { fqdnProblem, isLabel } from './hosts.ts'
import type { Path, Report } from './report.ts'
import { GO_DURATION } from './schema.ts'

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
}

/** A Go duration (10s, 1m30s, 0.5s) in nanoseconds; undefined when it is not one. */
export function durationNs(s: string): number | undefined {
  if (!GO_DURATION.test(s)) return undefined
  const sign = s.startsWith('-') ? -1 : 1
  let ns = 0
  for (const m of s.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
    ns += Math.round(Number(m[1]) * (UNIT_NS[m[2] ?? ''] ?? 0))
  return sign * ns
}

/** Istio's ValidateDuration: at least 1ms, in whole milliseconds. */
export function checkDuration(r: Report, path: Path, s: string | undefined): void {
  if (s === undefined) return
  const ns = durationNs(s)
  if (ns === undefined) return
  if (ns < 1e6)
    r.error(ProblemCode.BadValue, path, `duration ${s} is too short; Istio needs at least 1ms`)
  else if (ns % 1e6 !== 0)
    r.error(
      ProblemCode.BadValue,
      path,
      `duration ${s} is not in whole milliseconds; Istio supports millisecond precision only`,
    )
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_PREFIX =
  /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/')
  const prefix = slash < 0 ? undefined : key.slice(0, slash)
  const name = slash < 0 ? key : key.slice(slash + 1)
  if (prefix !== undefined && !(prefix.length <= 253 && DNS_PREFIX.test(prefix)))
    return `label key "${key}" has an invalid prefix; it must be a DNS name such as app.kubernetes.io`
  if (!QUALIFIED_NAME.test(name) || name.length > 63)
    return `label key "${key}" is invalid; use letters, digits, '-', '_' and '.', at most 63, starting and ending with a letter or digit`
  return undefined
}

/** Istio's labels.Instance.Validate (Kubernetes label syntax), for every label map. */
export function checkLabels(
  r: Report,
  path: Path,
  labels: Readonly<Record<string, string>> | undefined,
): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const keyProblem = labelKeyProblem(k)
    if (keyProblem) r.error(ProblemCode.BadValue, [...path, k], keyProblem, 'key')
    if (v !== '' && (!QUALIFIED_NAME.test(v) || v.length > 63))
      r.error(
        ProblemCode.BadValue,
        [...path, k],
        `label value "${v}" is invalid; use letters, digits, '-', '_' and '.', at most 63, starting and ending with a letter or digit`,
      )
  }
}

/** Istio's validateExportTo, then a warning: meshsim models only "*" (visible everywhere). */
export function checkExportTo(
  r: Report,
  path: Path,
  exportTo: readonly string[] | undefined,
  ns: string,
  isServiceEntry: boolean,
): void {
  if (!exportTo || exportTo.length === 0) return
  const seen = new Set<string>()
  exportTo.forEach((e, i) => {
    const key = e === '.' ? ns : e
    if (seen.has(key)) {
      r.error(
        ProblemCode.Duplicate,
        [...path, i],
        key === e
          ? `exportTo lists "${e}" twice`
          : `exportTo lists both "." and ${ns}, which is the same namespace`,
      )
    } else if (e === '~' && !isServiceEntry) {
      r.error(
        ProblemCode.BadValue,
        [...path, i],
        'exportTo "~" (no one) is allowed only in ServiceEntry',
      )
    } else if (e !== '.' && e !== '*' && e !== '~' && !isLabel(e)) {
      r.error(
        ProblemCode.BadValue,
        [...path, i],
        `exportTo entry "${e}" must be ".", "*" or a namespace name`,
      )
    }
    seen.add(key)
  })
  if (seen.has('*') && exportTo.length > 1)
    r.error(
      ProblemCode.Conflict,
      path,
      'exportTo "*" already exports to every namespace; it cannot be combined with other entries',
      'key',
    )
  if (seen.has('~') && exportTo.length > 1)
    r.error(
      ProblemCode.Conflict,
      path,
      'exportTo "~" (no one) cannot be combined with other entries',
      'key',
    )
  if (exportTo.some((e) => e !== '*'))
    r.warn(
      ProblemCode.NotEmulated,
      path,
      'meshsim does not model exportTo yet: every namespace sees this resource, as with "*"',
      'key',
    )
}

const PROTOCOLS = new Set([
  'http',
  'http2',
  'https',
  'grpc',
  'grpc-web',
  'http_proxy',
  'tcp',
  'tls',
  'udp',
  'mongo',
  'redis',
  'mysql',
])

/** Istio's protocol.Parse: a known protocol name, any case. */
export function isProtocol(p: string): boolean {
  return PROTOCOLS.has(p.toLowerCase())
}

export function protocolProblem(p: string): string {
  return `protocol "${p}" is not one Istio knows; use HTTP, HTTPS, HTTP2, GRPC, GRPC-Web, TLS, TCP, UDP, Mongo, Redis or MySQL`
}

export const isHttpProtocol = (p: string | undefined): boolean =>
  ['http', 'http2', 'grpc', 'grpc-web', 'http_proxy'].includes((p ?? '').toLowerCase())
export const isTlsProtocol = (p: string | undefined): boolean =>
  ['https', 'tls'].includes((p ?? '').toLowerCase())

/** Istio's validateGatewayNames: `namespace/name`, or a bare (possibly legacy dotted) name. */
export function checkGatewayNames(r: Report, path: Path, names: readonly string[] | undefined) {
  ;(names ?? []).forEach((g, i) => {
    const at = [...path, i]
    const slash = g.indexOf('/')
    if (slash < 0) {
      if (g.includes('.')) {
        const [name, ns] = g.split('.')
        r.warn(
          ProblemCode.IstioWarning,
          at,
          `gateway "${g}" uses the legacy name.namespace form; write "${ns}/${name}"`,
        )
      }
      const why = fqdnProblem(g)
      if (why) r.error(ProblemCode.BadValue, at, `gateway "${g}" is not a valid name: ${why}`)
      return
    }
    const ns = g.slice(0, slash)
    const name = g.slice(slash + 1)
    if (!isLabel(ns) || !isLabel(name))
      r.error(
        ProblemCode.BadValue,
        at,
        `gateway "${g}" must be namespace/name, each a DNS label (letters, digits and '-')`,
      )
  })
}

/** Warns that a field Istio accepts has no effect in meshsim yet. */
export function notEmulated(r: Report, path: Path, what: string): void {
  r.warn(
    ProblemCode.NotEmulated,
    path,
    `meshsim accepts ${what} but does not emulate it yet; it has no effect here`,
    'key',
  )
}

/** Refuses a valid Istio field meshsim cannot honour without changing where traffic goes. */
export function unsupported(r: Report, path: Path, what: string, consequence: string): void {
  r.error(
    ProblemCode.UnsupportedField,
    path,
    `meshsim does not support ${what} yet; ${consequence}`,
    'key',
  )
}
