// Reads YAML text into documents with positions, refusing hostile input as the topology loader
// does: a size limit, a cap on alias expansion (billion laughs), no __proto__-style keys, and one
// report for a stack overflow from deep nesting.

import { readFileSync, statSync } from 'node:fs'
import { type Document, isScalar, LineCounter, parseAllDocuments, visit } from 'yaml'
import { ConfigReadError, type Problem, ProblemCode } from './errors.ts'

const MAX_ALIASES = 100
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

export interface YamlDocument {
  readonly doc: Document
  readonly value: unknown
}

export interface ReadYaml {
  /** The documents that hold something, in order. */
  readonly docs: readonly YamlDocument[]
  readonly lines: LineCounter
  readonly problems: readonly Problem[]
}

export function tooLarge(file: string, bytes: number, limit: number, what: string): Problem {
  const mib = (n: number) => n / 1024 / 1024
  return {
    code: ProblemCode.TooLarge,
    file,
    line: 1,
    col: 1,
    path: '',
    message: `the file is ${mib(bytes).toFixed(1)} MiB; ${what} are limited to ${mib(limit)} MiB`,
  }
}

export function readYaml(text: string, file: string, maxBytes: number, what: string): ReadYaml {
  const lines = new LineCounter()
  const bytes = Buffer.byteLength(text)
  if (bytes > maxBytes)
    return { docs: [], lines, problems: [tooLarge(file, bytes, maxBytes, what)] }
  const problems: Problem[] = []
  const at = (offset: number, code: Problem['code'], message: string) => {
    const { line, col } = lines.linePos(offset)
    problems.push({ code, file, line, col, path: '', message })
  }
  const all = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  const parsed = Array.isArray(all) ? all : [all]
  let exhausted = false
  for (const doc of parsed) {
    for (const e of doc.errors) {
      if (e.code === 'RESOURCE_EXHAUSTION' || e.message.includes('call stack')) {
        // A stack overflow is reported once per nesting level; once is enough.
        if (exhausted) continue
        exhausted = true
        at(e.pos[0], ProblemCode.TooComplex, 'the document is nested too deeply to read')
      } else if (e.code === 'DUPLICATE_KEY') {
        at(
          e.pos[0],
          ProblemCode.DuplicateKey,
          `${e.message}; each key may appear once in a mapping (the later one would silently win)`,
        )
      } else at(e.pos[0], ProblemCode.Syntax, e.message)
    }
  }
  if (problems.length > 0) return { docs: [], lines, problems }
  const docs: YamlDocument[] = []
  for (const doc of parsed) {
    if (doc.contents === null) continue
    visit(doc, {
      Pair(_, pair) {
        if (isScalar(pair.key) && RESERVED_KEYS.has(String(pair.key.value)))
          at(
            pair.key.range?.[0] ?? 0,
            ProblemCode.ReservedKey,
            `"${String(pair.key.value)}" is not allowed as a key`,
          )
      },
    })
    try {
      const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIASES })
      // A document of only comments, or nothing between two ---, holds no object.
      if (value !== null && value !== undefined) docs.push({ doc, value })
    } catch (err) {
      at(
        doc.contents.range?.[0] ?? 0,
        ProblemCode.TooComplex,
        `the document expands too far (${(err as Error).message}); aliases may be used at most ${MAX_ALIASES} times`,
      )
    }
  }
  return problems.length > 0 ? { docs: [], lines, problems } : { docs, lines, problems }
}

/**
 * Reads a config file's text, or the one problem of a file over `maxBytes` (checked before
 * reading). Throws ConfigReadError for a missing or unreadable file, or a folder.
 */
export function readConfigFile(
  file: string,
  maxBytes: number,
  what: string,
): { readonly text: string } | { readonly tooLarge: Problem } {
  let size: number
  try {
    const st = statSync(file)
    if (st.isDirectory()) throw new ConfigReadError(file, 'it is a directory, not a file')
    size = st.size
  } catch (err) {
    if (err instanceof ConfigReadError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigReadError(file, code === 'ENOENT' ? 'no such file' : (err as Error).message)
  }
  if (size > maxBytes) return { tooLarge: tooLarge(file, size, maxBytes, what) }
  try {
    return { text: readFileSync(file, 'utf8') }
  } catch (err) {
    throw new ConfigReadError(file, (err as Error).message)
  }
}
