// The match part of a VirtualService http route, checked as Istio's validateHTTPRouteMatchRequest
// does (one of exact/prefix/regex, valid RE2, header names) and converted to the model. Match
// conditions meshsim cannot evaluate are refused: ignoring them would widen the match.

import type { HttpMatchRequest, StringMatch } from '../../model/index.ts'
import { re2Problem } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import type { Path, Report } from './report.ts'
import type { HttpRouteInput, StringMatchInput } from './schema.ts'
import { checkGatewayNames, checkLabels, notEmulated, unsupported } from './values.ts'

type MatchInput = NonNullable<HttpRouteInput['match']>[number]

// RFC 7230 token characters, which Istio allows in header names.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status'])
const JWT_CLAIM = '@request.auth.claims'
const KINDS = ['exact', 'prefix', 'regex'] as const

/** Istio's StringMatch rules: one of exact/prefix/regex, a non-empty prefix, a valid RE2 regex. */
export function checkStringMatch(
  r: Report,
  path: Path,
  sm: StringMatchInput,
  opts: { readonly emptyPrefix: boolean; readonly emptyMeansPresent: boolean },
): void {
  const set = KINDS.filter((k) => sm[k] !== undefined)
  if (set.length > 1) {
    r.error(
      ProblemCode.Conflict,
      [...path, set[1] ?? ''],
      `a string match has exactly one of exact, prefix or regex; this one has ${set.join(' and ')}`,
      'key',
    )
    return
  }
  if (set.length === 0 && !opts.emptyMeansPresent)
    r.error(ProblemCode.MissingField, path, 'a string match needs one of exact, prefix or regex')
  if (sm.prefix === '' && !opts.emptyPrefix)
    r.error(ProblemCode.BadValue, [...path, 'prefix'], 'prefix must not be empty here')
  if (sm.regex !== undefined) {
    if (sm.regex === '')
      r.error(ProblemCode.BadValue, [...path, 'regex'], 'regex must not be empty')
    else {
      const p = re2Problem(sm.regex)
      if (p?.unsupported)
        unsupported(r, [...path, 'regex'], `this regex (${p.message})`, 'the route cannot match')
      else if (p)
        r.error(
          ProblemCode.BadRegex,
          [...path, 'regex'],
          `regex ${JSON.stringify(sm.regex)} is not valid RE2, the syntax Istio uses: ${p.message}`,
        )
    }
  }
}

function checkHeaderMatches(
  r: Report,
  path: Path,
  headers: Readonly<Record<string, StringMatchInput>> | undefined,
  forGateway: boolean,
  without: boolean,
): void {
  for (const [name, sm] of Object.entries(headers ?? {})) {
    const at = [...path, name]
    if (name.startsWith(JWT_CLAIM)) {
      if (forGateway) unsupported(r, at, 'routing on JWT claims', 'the route cannot match')
      else
        r.error(
          ProblemCode.BadValue,
          at,
          `routing on JWT claims (${name}) works only in VirtualServices bound to gateways, not sidecars`,
          'key',
        )
      continue
    }
    if (!PSEUDO_HEADERS.has(name) && !HEADER_NAME.test(name)) {
      r.error(
        ProblemCode.BadValue,
        at,
        `"${name}" is not a valid header name (letters, digits and !#$%&'*+-.^_\`|~)`,
        'key',
      )
      continue
    }
    if (['uri', 'scheme', 'method', 'authority'].includes(name.toLowerCase()))
      r.warn(
        ProblemCode.Ignored,
        at,
        `Istio ignores a header match named "${name}"; use the match's own ${name.toLowerCase()} field`,
        'key',
      )
    else if (name !== name.toLowerCase())
      r.warn(
        ProblemCode.Ignored,
        at,
        `header names are lower case in Istio ("${name.toLowerCase()}"); proxies compare them without case, so meshsim uses "${name.toLowerCase()}"`,
        'key',
      )
    // In withoutHeaders, regex "*" is Istio's shorthand for "present", not a regex.
    if (without && sm.regex === '*' && sm.exact === undefined && sm.prefix === undefined) continue
    checkStringMatch(r, at, sm, { emptyPrefix: false, emptyMeansPresent: true })
  }
}

export function checkMatch(r: Report, path: Path, m: MatchInput, forGateway: boolean): void {
  checkHeaderMatches(r, [...path, 'headers'], m.headers, forGateway, false)
  checkHeaderMatches(r, [...path, 'withoutHeaders'], m.withoutHeaders, forGateway, true)
  if (m.uri)
    checkStringMatch(r, [...path, 'uri'], m.uri, { emptyPrefix: true, emptyMeansPresent: true })
  if (m.uri && KINDS.every((k) => m.uri?.[k] === undefined))
    r.warn(ProblemCode.Ignored, [...path, 'uri'], 'an empty uri match matches every path', 'key')
  checkLabels(r, [...path, 'sourceLabels'], m.sourceLabels)
  const narrowing = 'ignoring it would send this route requests Istio would not'
  for (const field of ['scheme', 'method', 'authority'] as const) {
    const sm = m[field]
    if (!sm) continue
    checkStringMatch(r, [...path, field], sm, { emptyPrefix: false, emptyMeansPresent: false })
    unsupported(r, [...path, field], `matching on ${field}`, narrowing)
  }
  if (m.queryParams) {
    for (const [name, sm] of Object.entries(m.queryParams))
      checkStringMatch(r, [...path, 'queryParams', name], sm, {
        emptyPrefix: false,
        emptyMeansPresent: true,
      })
    unsupported(r, [...path, 'queryParams'], 'matching on queryParams', narrowing)
  }
  if (m.gateways) {
    checkGatewayNames(r, [...path, 'gateways'], m.gateways)
    unsupported(r, [...path, 'gateways'], 'gateways in a match', narrowing)
  }
  if (m.sourceNamespace !== undefined)
    unsupported(r, [...path, 'sourceNamespace'], 'matching on sourceNamespace', narrowing)
  if (m.statPrefix !== undefined) notEmulated(r, [...path, 'statPrefix'], 'statPrefix')
}

function toStringMatch(sm: StringMatchInput): StringMatch | undefined {
  if (sm.exact !== undefined) return { exact: sm.exact }
  if (sm.prefix !== undefined) return { prefix: sm.prefix }
  if (sm.regex !== undefined) return { regex: sm.regex }
  return undefined
}

function toHeaders(
  headers: Readonly<Record<string, StringMatchInput>>,
  without: boolean,
): Record<string, StringMatch | Record<string, never>> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, sm]) => [
      name.toLowerCase(),
      without && sm.regex === '*' ? {} : (toStringMatch(sm) ?? {}),
    ]),
  )
}

export function toMatch(m: MatchInput): HttpMatchRequest {
  const uri = m.uri ? toStringMatch(m.uri) : undefined
  return {
    ...(m.name !== undefined ? { name: m.name } : {}),
    ...(uri ? { uri } : {}),
    ...(m.headers ? { headers: toHeaders(m.headers, false) } : {}),
    ...(m.withoutHeaders ? { withoutHeaders: toHeaders(m.withoutHeaders, true) } : {}),
    ...(m.port !== undefined ? { port: m.port } : {}),
    ...(m.sourceLabels ? { sourceLabels: m.sourceLabels } : {}),
    ...(m.ignoreUriCase !== undefined ? { ignoreUriCase: m.ignoreUriCase } : {}),
  }
}
