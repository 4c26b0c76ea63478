// RE2 regular expressions (Istio validates them with Go's regexp, Envoy runs them with RE2) checked
// and translated to JavaScript: RE2-only syntax is rewritten ((?P<n>, \A, \z, \Q…\E, POSIX classes,
// (?i) flags), and what RE2 lacks (lookaround, backreferences) is refused as Istio refuses it.

export type Re2Problem = { readonly message: string; readonly unsupported: boolean }
type Translation = { readonly source: string } | Re2Problem

const MAX_LENGTH = 1024
const MAX_REPEAT = 1000
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/')
const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
}
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\\x07',
  f: '\\f',
  t: '\\t',
  n: '\\n',
  r: '\\r',
  v: '\\v',
  d: '\\d',
  D: '\\D',
  w: '\\w',
  W: '\\W',
  b: '\\b',
  B: '\\B',
}

const RE2_SPACE = '\\t\\n\\f\\r '

const isOctal = (ch: string | undefined) => ch !== undefined && ch >= '0' && ch <= '7'
const invalid = (message: string): Re2Problem => ({ message, unsupported: false })
const hex = (code: number) => `\\u{${code.toString(16)}}`

function literal(ch: string, inClass: boolean): string {
  if (JS_SYNTAX.has(ch) || (inClass && ch === '-')) return `\\${ch}`
  return ch
}

/** Translates an RE2 pattern to a JavaScript (u-mode) source, or says why it cannot. */
function translate(re: string): Translation {
  let out = ''
  let i = 0
  let inClass = false
  // Per open group: the (?flags: groups that bare (?flags) opened in it, closed with it.
  const groups: string[][] = [[]]

  const escapeAt = (): string | Re2Problem => {
    const c = re[i + 1]
    if (c === undefined) return invalid('it ends with a lone backslash')
    i += 2
    if (c >= '1' && c <= '9') {
      if (c <= '7' && isOctal(re[i])) {
        let digits = c
        while (digits.length < 3 && isOctal(re[i])) digits += re[i++]
        return hex(Number.parseInt(digits, 8))
      }
      return invalid(`backreferences (\\${c}) are not RE2 syntax; Istio's regex engine has none`)
    }
    if (c === '0') {
      let digits = ''
      while (digits.length < 2 && isOctal(re[i])) digits += re[i++]
      return hex(Number.parseInt(digits || '0', 8))
    }
    if (c === 'A' || c === 'z') {
      if (inClass) return invalid(`\\${c} cannot be used inside [...]`)
      return c === 'A' ? '(?<![\\s\\S])' : '(?![\\s\\S])'
    }
    if (c === 'Q') {
      const end = re.indexOf('\\E', i)
      const text = end < 0 ? re.slice(i) : re.slice(i, end)
      i = end < 0 ? re.length : end + 2
      return [...text].map((ch) => literal(ch, inClass)).join('')
    }
    if (c === 'p' || c === 'P') {
      let name: string
      if (re[i] === '{') {
        const end = re.indexOf('}', i)
        if (end < 0) return invalid('\\p{ has no closing }')
        name = re.slice(i + 1, end)
        i = end + 1
      } else {
        name = re[i] ?? ''
        i++
      }
      let negate = c === 'P'
      if (name.startsWith('^')) {
        negate = !negate
        name = name.slice(1)
      }
      if (!/^[A-Za-z_]+$/.test(name)) return invalid(`\\p{${name}} is not a Unicode class`)
      const property = /^[A-Z][a-z]?$/.test(name) || name === 'Any' ? name : `Script=${name}`
      return `\\${negate ? 'P' : 'p'}{${property}}`
    }
    if (c === 'x') {
      const braced = re[i] === '{' ? /^\{([0-9A-Fa-f]+)\}/.exec(re.slice(i)) : null
      const m = braced ?? /^[0-9A-Fa-f]{2}/.exec(re.slice(i))
      if (!m) return invalid('\\x needs two hex digits or {hex}')
      i += m[0].length
      return hex(Number.parseInt(m[1] ?? m[0], 16))
    }
    // RE2's \s is ASCII space only: no \v and no Unicode spaces, unlike JavaScript's.
    if (c === 's') return inClass ? RE2_SPACE : `[${RE2_SPACE}]`
    if (c === 'S') {
      if (inClass) return { message: '\\S inside [...] is not supported', unsupported: true }
      return `[^${RE2_SPACE}]`
    }
    const simple = SIMPLE_ESCAPES[c]
    if (simple !== undefined) return simple
    // Any escaped ASCII punctuation (even \_) is itself in RE2.
    if (/^[\x21-\x7e]$/.test(c) && !/^[0-9A-Za-z]$/.test(c)) return literal(c, inClass)
    return invalid(`\\${c} is not a valid escape in RE2`)
  }

  const group = (): string | Re2Problem => {
    const rest = re.slice(i)
    if (/^\(\?(=|!|<=|<!)/.test(rest))
      return invalid(
        "lookahead and lookbehind ((?=…), (?!…)) are not RE2 syntax; Istio's regex engine has none",
      )
    if (rest.startsWith('(?P=')) return invalid('named backreferences (?P=name) are not RE2 syntax')
    const named = /^\(\?P?<(\w+)>/.exec(rest)
    if (named) {
      i += named[0].length
      groups.push([])
      return `(?<${named[1]}>`
    }
    if (rest.startsWith('(?:')) {
      i += 3
      groups.push([])
      return '(?:'
    }
    const flags = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest)
    if (flags && (flags[1] || flags[2])) {
      if (`${flags[1]}${flags[2] ?? ''}`.includes('U'))
        return {
          message:
            'the U (ungreedy) flag has no JavaScript equivalent; write lazy quantifiers (*?, +?) instead',
          unsupported: true,
        }
      i += flags[0].length
      const open = `(?${flags[1]}${flags[2] ? `-${flags[2]}` : ''}:`
      if (flags[3] === ':') groups.push([])
      // A bare (?i) applies to the rest of the enclosing group: open a group closed with it.
      else groups.at(-1)?.push(open)
      return open
    }
    if (rest.startsWith('(?')) return invalid(`"${rest.slice(0, 4)}" is not an RE2 group`)
    i++
    groups.push([])
    return '('
  }

  if (re.length > MAX_LENGTH)
    return invalid(`it is ${re.length} characters long; Istio allows at most ${MAX_LENGTH}`)
  while (i < re.length) {
    const ch = re[i] ?? ''
    let piece: string | Re2Problem
    if (ch === '\\') piece = escapeAt()
    else if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(re.slice(i))
      if (posix) {
        const ranges = POSIX[posix[2] ?? '']
        if (ranges === undefined) return invalid(`[:${posix[2]}:] is not a POSIX class`)
        if (posix[1])
          return {
            message: 'negated POSIX classes ([:^alpha:]) are not supported',
            unsupported: true,
          }
        i += posix[0].length
        piece = ranges
      } else if (ch === ']') {
        inClass = false
        i++
        piece = ']'
      } else {
        i++
        piece = ch === '[' ? '\\[' : ch
      }
    } else if (ch === '[') {
      i++
      piece = '['
      if (re[i] === '^') {
        piece += '^'
        i++
      }
      // A ']' first in a class is a literal in RE2.
      if (re[i] === ']') {
        piece += '\\]'
        i++
      }
      inClass = true
    } else if (ch === '(') piece = group()
    else if (ch === ')') {
      const opened = groups.length > 1 ? (groups.pop() ?? []) : []
      i++
      piece = `${')'.repeat(opened.length)})`
    } else if (ch === '|') {
      // Flags set before '|' still hold after it; close and reopen their groups around it.
      const opened = groups.at(-1) ?? []
      i++
      piece = `${')'.repeat(opened.length)}|${opened.join('')}`
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i))
      if (m) {
        const min = Number(m[1])
        const max = m[3] ? Number(m[3]) : min
        if (min > MAX_REPEAT || max > MAX_REPEAT || max < min)
          return invalid(`repeat count ${m[0]} is invalid; RE2 allows up to ${MAX_REPEAT}`)
        i += m[0].length
        piece = m[0]
      } else {
        i++
        piece = '\\{'
      }
    } else if (ch === '}' || ch === ']') {
      i++
      piece = `\\${ch}`
    } else {
      i++
      piece = ch
    }
    if (typeof piece !== 'string') return piece
    out += piece
  }
  if (inClass) return invalid('a [ character class is not closed')
  return { source: `${out}${')'.repeat(groups[0]?.length ?? 0)}` }
}

/**
 * A leading `(?ims)` becomes RegExp flags rather than a modifier group, so the common `(?i)...`
 * runs on engines without modifiers (Node 22). With `m`, the whole-value anchors cannot be ^ $.
 */
function leadingFlags(re: string): { readonly flags: string; readonly rest: string } {
  const m = /^\(\?([ims]+)\)/.exec(re)
  return m?.[1]
    ? { flags: [...new Set(m[1])].join(''), rest: re.slice(m[0].length) }
    : { flags: '', rest: re }
}

function build(source: string, flags: string): RegExp {
  const [start, end] = flags.includes('m') ? ['(?<![\\s\\S])', '(?![\\s\\S])'] : ['^', '$']
  return new RegExp(`${start}(?:${source})${end}`, `u${flags}`)
}

/** The reason in a SyntaxError from RegExp, without the pattern it repeats. */
function reason(err: unknown): string {
  const message = String((err as Error).message)
  return message.slice(message.lastIndexOf(': ') + 2).toLowerCase()
}

/** Why Istio would refuse `re`, or why meshsim cannot run it; undefined when it is fine. */
export function re2Problem(re: string): Re2Problem | undefined {
  const { flags, rest } = leadingFlags(re)
  const t = translate(rest)
  if (!('source' in t)) return t
  try {
    build(t.source, flags)
    return undefined
  } catch (err) {
    return invalid(reason(err))
  }
}

/** Compiles an RE2 pattern to a RegExp that matches whole strings, as Envoy's safe_regex does. */
export function compileRe2(re: string): RegExp {
  const { flags, rest } = leadingFlags(re)
  const t = translate(rest)
  const fail = (why: string) => new Error(`invalid RE2 pattern ${JSON.stringify(re)}: ${why}`)
  if (!('source' in t)) throw fail(t.message)
  try {
    return build(t.source, flags)
  } catch (err) {
    throw fail(reason(err))
  }
}

/** As compileRe2, but undefined instead of throwing (the data plane never throws on config). */
export function tryCompileRe2(re: string): RegExp | undefined {
  try {
    return compileRe2(re)
  } catch {
    return undefined
  }
}
