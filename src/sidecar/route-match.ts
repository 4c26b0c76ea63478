// Envoy's route matching for one request, compiled once per config: the path condition (prefix,
// exact or RE2 regex, compared without the query string and fragment), every header condition,
// and the weighted-cluster pick. Nothing here allocates per request but a regex's path slice.

import { tryCompileRe2 } from '../model/index.ts'
import type { Random } from '../proxy/index.ts'
import type { HeaderMatcher, RouteMatch, StringMatcher, WeightedCluster } from '../xds/index.ts'

/** Whether a request holds a route's match; `path` is in origin form, query string included. */
export type RequestTest = (
  path: string,
  authority: string,
  method: string,
  headers: readonly string[],
) => boolean

type ValueTest = (value: string) => boolean

const ANY: RequestTest = () => true
const NEVER = () => false

/** Reads the value a header condition looks at (undefined: the request has no such header). */
type Read = (
  path: string,
  authority: string,
  method: string,
  headers: readonly string[],
) => string | undefined

interface HeaderTest {
  readonly read: Read
  /** Undefined: the header only has to be present. */
  readonly test: ValueTest | undefined
  readonly invert: boolean
}

/**
 * Compiles a RouteMatch. A route with a regex RE2 would reject never matches, inverted or not
 * (Envoy would refuse the config, so the route would not exist); `onInvalidRegex` hears of it.
 */
export function compileRouteMatch(
  m: RouteMatch,
  onInvalidRegex: (pattern: string) => void,
): RequestTest {
  let valid = true
  const onInvalid = (pattern: string) => {
    valid = false
    onInvalidRegex(pattern)
  }
  const path = m.path ? pathTest(m.path, m.ignoreCase === true, onInvalid) : undefined
  const headers = m.headers.map((h) => headerTest(h, onInvalid))
  if (!valid) return NEVER
  if (headers.length === 0) return path ?? ANY
  return (p, authority, method, raw) => {
    if (path !== undefined && !path(p)) return false
    for (const h of headers) {
      const value = h.read(p, authority, method, raw)
      // Envoy: a missing header fails every condition but an inverted presence check.
      if (value === undefined) {
        if (!(h.invert && h.test === undefined)) return false
      } else if ((h.test === undefined || h.test(value)) === h.invert) {
        return false
      }
    }
    return true
  }
}

/**
 * Envoy's PathMatcher: prefix and exact compare the path before `?` or `#` (case-folded for
 * ASCII when `ignoreCase`); a regex matches all of it, and ignores `ignoreCase` as Envoy does.
 */
function pathTest(
  s: StringMatcher,
  ignoreCase: boolean,
  onInvalidRegex: (pattern: string) => void,
): ((path: string) => boolean) | undefined {
  if ('regex' in s) {
    const re = regexTest(s.regex, onInvalidRegex)
    return (path) => re(withoutQuery(path))
  }
  const exact = 'exact' in s
  const v = exact ? s.exact : s.prefix
  if (!exact && v === '') return undefined
  // The compared path ends at the first ? or #, so a value holding one can never match.
  if (/[?#]/.test(v)) return NEVER
  if (ignoreCase) {
    const lower = asciiLower(v)
    return exact
      ? (path) => startsWithFolded(path, lower) && endsAt(path, v.length)
      : (path) => startsWithFolded(path, lower)
  }
  return exact
    ? (path) => path.startsWith(v) && endsAt(path, v.length)
    : (path) => path.startsWith(v)
}

function headerTest(h: HeaderMatcher, onInvalidRegex: (pattern: string) => void): HeaderTest {
  return {
    read: reader(h.name),
    test: h.match === undefined ? undefined : valueTest(h.match, onInvalidRegex),
    invert: h.invert === true,
  }
}

/** Envoy's pseudo-headers read the request line; other names read the headers. */
function reader(name: string): Read {
  switch (name) {
    case ':authority':
      return (_p, authority) => authority
    case ':method':
      return (_p, _a, method) => method
    case ':path':
      return (path) => path
    case ':scheme':
      return () => 'http'
    default:
      return (_p, _a, _m, headers) => joinedHeader(headers, name)
  }
}

function valueTest(s: StringMatcher, onInvalidRegex: (pattern: string) => void): ValueTest {
  if ('exact' in s) {
    const v = s.exact
    return (value) => value === v
  }
  if ('prefix' in s) {
    const v = s.prefix
    return (value) => value.startsWith(v)
  }
  return regexTest(s.regex, onInvalidRegex)
}

function regexTest(pattern: string, onInvalidRegex: (pattern: string) => void): ValueTest {
  const re = tryCompileRe2(pattern)
  if (re === undefined) {
    onInvalidRegex(pattern)
    return NEVER
  }
  return (value) => re.test(value)
}

/** All values of a header joined with `,`, as Envoy matches a repeated header (raw name/value pairs). */
export function joinedHeader(headers: readonly string[], name: string): string | undefined {
  let out: string | undefined
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i] as string
    if (n.length === name.length && n.toLowerCase() === name) {
      const v = headers[i + 1] as string
      out = out === undefined ? v : `${out},${v}`
    }
  }
  return out
}

/** The path without its query string and fragment (Envoy's removeQueryAndFragment). */
export function withoutQuery(path: string): string {
  const q = path.indexOf('?')
  const h = path.indexOf('#')
  const end = q < 0 ? h : h < 0 ? q : Math.min(q, h)
  return end < 0 ? path : path.slice(0, end)
}

/** The path ends at `at`, or its query string or fragment starts there. */
function endsAt(path: string, at: number): boolean {
  if (path.length === at) return true
  const c = path.charCodeAt(at)
  return c === 0x3f || c === 0x23
}

const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** `path` starts with `lower` (already ASCII-lowered), ignoring ASCII case. */
function startsWithFolded(path: string, lower: string): boolean {
  if (path.length < lower.length) return false
  for (let i = 0; i < lower.length; i++) {
    let c = path.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    if (c !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Sum of the weights (Envoy's total_weight); weights below zero count as zero. */
export function totalWeight(clusters: readonly WeightedCluster[]): number {
  let total = 0
  for (const c of clusters) if (c.weight > 0) total += c.weight
  return total
}

/**
 * Envoy's weighted pick: a random point in [0, total) and the cluster whose interval holds it.
 * Clusters of weight 0 own no interval. Undefined when the total is 0.
 */
export function pickWeighted(
  clusters: readonly WeightedCluster[],
  total: number,
  random: Random,
): string | undefined {
  if (total <= 0) return undefined
  const point = random() * total
  let end = 0
  for (const c of clusters) {
    if (!(c.weight > 0)) continue
    end += c.weight
    if (point < end) return c.name
  }
  // Floating-point rounding at the top end: the last cluster that has a weight.
  for (let i = clusters.length - 1; i >= 0; i--) {
    const c = clusters[i]
    if (c !== undefined && c.weight > 0) return c.name
  }
  return undefined
}
