// Turns zod's schema issues into meshsim findings with plain-language messages: unknown fields
// (with a "did you mean"), missing fields, wrong types and bad values.

import type { z } from 'zod'
import { ProblemCode } from './errors.ts'
import type { PathSegment } from './locate.ts'
import type { Finding } from './references.ts'
import { didYouMean } from './suggest.ts'

type Issue = z.core.$ZodIssue
type Schema = z.core.$ZodType

function describe(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'a list'
  if (typeof input === 'object') return 'a mapping'
  if (typeof input === 'string')
    return `the string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`
  return `${typeof input} ${String(input)}`
}

const ARTICLE: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
}

/** Field names a mapping at `path` may have, for "did you mean" hints. */
function keysAt(schema: Schema, path: readonly PathSegment[]): Set<string> {
  let current: Schema[] = [schema]
  const expand = (s: Schema): Schema[] => {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string }
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
        return expand(def.innerType as Schema)
      case 'union':
        return (def.options as Schema[]).flatMap(expand)
      case 'pipe':
        return expand(def.in as Schema)
      default:
        return [s]
    }
  }
  for (const seg of path) {
    current = current.flatMap(expand).flatMap((s): Schema[] => {
      const def = s._zod.def as unknown as Record<string, unknown> & { type: string }
      if (def.type === 'object') {
        const shape = def.shape as Record<string, Schema>
        const next = shape[String(seg)]
        return next ? [next] : []
      }
      if (def.type === 'array' && typeof seg === 'number') return [def.element as Schema]
      if (def.type === 'record') return [def.valueType as Schema]
      return []
    })
  }
  const keys = new Set<string>()
  for (const s of current.flatMap(expand)) {
    const def = s._zod.def as unknown as Record<string, unknown> & { type: string }
    if (def.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k)
  }
  return keys
}

export function findingsFromIssues(issues: readonly Issue[], schema: Schema): Finding[] {
  const out: Finding[] = []
  for (const issue of issues) {
    const path = issue.path as PathSegment[]
    const custom =
      !issue.message.startsWith('Invalid input') && !issue.message.startsWith('Invalid option')
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = keysAt(schema, path)
        for (const key of issue.keys) {
          out.push({
            code: ProblemCode.UnknownField,
            path: [...path, key],
            at: 'key',
            message: `unknown field "${key}"${didYouMean(key, known) || `; allowed here: ${[...known].join(', ')}`}`,
          })
        }
        break
      }
      case 'invalid_value':
      case 'invalid_type': {
        if (issue.input === undefined) {
          const field = path.at(-1)
          out.push({
            code: ProblemCode.MissingField,
            path,
            message:
              path.length === 0
                ? 'the document is empty; a topology needs apiVersion, kind, metadata and spec'
                : `missing required field "${String(field)}"${issue.code === 'invalid_type' ? ` (${ARTICLE[issue.expected] ?? issue.expected})` : ''}`,
          })
        } else if (issue.code === 'invalid_value') {
          const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ')
          const msg = custom ? issue.message : `must be one of ${allowed}`
          out.push({
            code: ProblemCode.BadValue,
            path,
            message: `${msg}, got ${describe(issue.input)}`,
          })
        } else {
          const expected = custom
            ? issue.message
            : `expected ${ARTICLE[issue.expected] ?? issue.expected}`
          out.push({
            code: ProblemCode.WrongType,
            path,
            message: `${expected}, got ${describe(issue.input)}`,
          })
        }
        break
      }
      case 'invalid_union': {
        const msg = custom ? issue.message : 'does not match any allowed form'
        out.push({ code: ProblemCode.BadValue, path, message: msg })
        break
      }
      default: {
        const got =
          issue.input !== undefined && typeof issue.input !== 'object'
            ? `, got ${describe(issue.input)}`
            : ''
        out.push({ code: ProblemCode.BadValue, path, message: `${issue.message}${got}` })
      }
    }
  }
  return out
}
