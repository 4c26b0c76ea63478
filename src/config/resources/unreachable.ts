// Istio's analysis of unreachable VirtualService rules (analyzeUnreachableHTTPRules): a rule
// after a match-all rule, or whose every match repeats an earlier one, never gets traffic. Istio
// accepts such a VirtualService with a warning; so does meshsim.

import { ProblemCode } from '../errors.ts'
import type { Path, Report } from './report.ts'

/** JSON with sorted keys, so that matches written in different key orders compare equal. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(v)
}

export function checkUnreachableRules(
  r: Report,
  path: Path,
  rules: readonly {
    readonly name?: string | undefined
    readonly match?: readonly object[] | undefined
  }[],
): void {
  const seen = new Map<string, number>()
  let matchAll = -1
  const label = (i: number) => {
    const name = rules[i]?.name
    return name ? `"${name}"` : `#${i}`
  }
  rules.forEach((rule, i) => {
    const at = [...path, i]
    const matches = rule.match ?? []
    if (matches.length === 0) {
      if (matchAll >= 0)
        r.warn(
          ProblemCode.IstioWarning,
          at,
          `rule ${label(i)} is never used: rule ${label(matchAll)} before it has no match and takes every request (only the last rule may have no match)`,
        )
      else matchAll = i
      return
    }
    if (matchAll >= 0) {
      r.warn(
        ProblemCode.IstioWarning,
        at,
        `rule ${label(i)} is never used: rule ${label(matchAll)} before it has no match and takes every request`,
      )
      return
    }
    const repeats: { j: number; first: number }[] = []
    matches.forEach((m, j) => {
      const { name: _, ...rest } = m as { name?: unknown }
      const key = canonical(rest)
      const first = seen.get(key)
      if (first === undefined) seen.set(key, i)
      else repeats.push({ j, first })
    })
    if (repeats.length === matches.length) {
      r.warn(
        ProblemCode.IstioWarning,
        at,
        `rule ${label(i)} is never used: earlier rules already take all of its matches`,
      )
      return
    }
    for (const { j, first } of repeats)
      r.warn(
        ProblemCode.IstioWarning,
        [...at, 'match', j],
        `match #${j} of rule ${label(i)} is never used: rule ${label(first)} has the same match`,
      )
  })
}
