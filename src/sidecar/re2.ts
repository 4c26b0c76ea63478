// RE2 patterns (Envoy's safe_regex) as JavaScript RegExps that match the whole value, as RE2's
// FullMatch does. RE2 syntax JavaScript reads differently is rewritten; what RE2 rejects
// (lookarounds, backreferences, unknown escapes) is rejected here too instead of silently matching.

/** RE2 whitespace (`\s`): no \v and no Unicode spaces, unlike JavaScript's `\s`. */
const SPACE = '\\t\\n\\f\\r '

/** RE2's ASCII classes (`[[:alpha:]]`), as class contents. */
const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\u{0}-\\u{7f}',
  blank: '\\t ',
  cntrl: '\\u{0}-\\u{1f}\\u{7f}',
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

const START = '(?<![\\s\\S])'
const END = '(?![\\s\\S])'

const literal = (ch: string): string => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`
const isAlnum = (ch: string): boolean => /^[0-9A-Za-z]$/.test(ch)

/**
 * Compiles an RE2 pattern to a RegExp anchored at both ends, or undefined when RE2 (or this
 * translation) would not accept it.
 */
export function compileRe2(pattern: string): RegExp | undefined {
  let flags = 'u'
  let i = 0
  const lead = /^\(\?([imsU]+)\)/.exec(pattern)
  if (lead !== null) {
    const set = lead[1] ?? ''
    if (set.includes('U')) return undefined
    flags += [...new Set(set)].join('')
    i = lead[0].length
  }
  const body = translate(pattern, i)
  if (body === undefined) return undefined
  // With (?m), ^ and $ also match at line ends, so the whole-value anchors cannot use them.
  const multiline = flags.includes('m')
  const source = `${multiline ? START : '^'}(?:${body})${multiline ? END : '$'}`
  try {
    return new RegExp(source, flags)
  } catch {
    return undefined
  }
}

function translate(p: string, from: number): string | undefined {
  let out = ''
  let inClass = false
  let i = from
  while (i < p.length) {
    const c = p[i] as string
    if (c === '\\') {
      const e = escaped(p, i + 1, inClass)
      if (e === undefined) return undefined
      out += e.text
      i = e.next
      continue
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2)
        const name = end < 0 ? undefined : p.slice(i + 2, end)
        const range = name === undefined ? undefined : POSIX[name]
        if (range === undefined) return undefined
        out += range
        i = end + 2
        continue
      }
      if (c === ']') inClass = false
      out += c === '[' ? '\\[' : c
      i++
      continue
    }
    if (c === '[') {
      inClass = true
      out += '['
      i++
      if (p[i] === '^') {
        out += '^'
        i++
      }
      // RE2: a `]` right after the opening bracket is a literal.
      if (p[i] === ']') {
        out += '\\]'
        i++
      }
      continue
    }
    if (c === '(' && p[i + 1] === '?') {
      const g = group(p, i)
      if (g === undefined) return undefined
      out += g.text
      i = g.next
      continue
    }
    if (c === '{') {
      // RE2 reads `{` literally unless it starts a repetition; JavaScript's u mode rejects it.
      const rep = /^\{\d+(?:,\d*)?\}/.exec(p.slice(i))
      if (rep === null) {
        out += '\\{'
        i++
      } else {
        out += rep[0]
        i += rep[0].length
      }
      continue
    }
    out += c === '}' || c === ']' ? `\\${c}` : c
    i++
  }
  return inClass ? undefined : out
}

/** `(?` constructs: named groups and flag groups pass; lookarounds RE2 does not have fail. */
function group(p: string, i: number): { text: string; next: number } | undefined {
  const rest = p.slice(i + 2, i + 4)
  if (rest.startsWith('P<')) return { text: '(?<', next: i + 4 }
  if (rest === '<=' || rest === '<!' || rest[0] === '=' || rest[0] === '!' || rest[0] === 'P') {
    return undefined
  }
  // `(?:`, `(?<name>` and `(?i:...)` mean the same in JavaScript; a mid-pattern `(?i)` fails there.
  return { text: '(?', next: i + 2 }
}

/** The escape whose letter is at `i` (after the backslash). */
function escaped(
  p: string,
  i: number,
  inClass: boolean,
): { text: string; next: number } | undefined {
  const c = p[i]
  if (c === undefined) return undefined
  const one = (text: string) => ({ text, next: i + 1 })
  switch (c) {
    case 'a':
      return one('\\u{7}')
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return one(`\\${c}`)
    case 's':
      return one(inClass ? SPACE : `[${SPACE}]`)
    case 'S':
      // Inside a class JavaScript's \S (not Unicode space) stands in; the difference is non-ASCII.
      return one(inClass ? '\\S' : `[^${SPACE}]`)
    case 'b':
    case 'B':
      return inClass ? undefined : one(`\\${c}`)
    case 'A':
      return inClass ? undefined : one(START)
    case 'z':
      return inClass ? undefined : one(END)
    case 'x':
      return hex(p, i + 1)
    case 'p':
    case 'P':
      return property(p, i + 1, c === 'P')
    case 'Q': {
      const end = p.indexOf('\\E', i + 1)
      const text = p.slice(i + 1, end < 0 ? p.length : end)
      return { text: [...text].map(literal).join(''), next: end < 0 ? p.length : end + 2 }
    }
  }
  if (c >= '0' && c <= '7') {
    // Octal; a lone \1-\7 would be a backreference, which RE2 does not have.
    const digits = /^[0-7]{1,3}/.exec(p.slice(i))?.[0] ?? c
    if (c !== '0' && digits.length === 1) return undefined
    return {
      text: literal(String.fromCodePoint(Number.parseInt(digits, 8))),
      next: i + digits.length,
    }
  }
  // Any other ASCII non-alphanumeric (`\_` too) is itself; other letters are unknown escapes.
  if (c.charCodeAt(0) < 0x80 && !isAlnum(c)) return one(literal(c))
  return undefined
}

function hex(p: string, i: number): { text: string; next: number } | undefined {
  if (p[i] === '{') {
    const m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(p.slice(i))
    if (m === null) return undefined
    return { text: `\\u{${m[1]}}`, next: i + m[0].length }
  }
  const m = /^[0-9A-Fa-f]{2}/.exec(p.slice(i))
  return m === null ? undefined : { text: `\\x${m[0]}`, next: i + 2 }
}

/** `\pL`, `\p{Greek}`, `\p{^L}`: general categories keep their names, others are scripts. */
function property(
  p: string,
  i: number,
  negated: boolean,
): { text: string; next: number } | undefined {
  let name: string
  let next: number
  if (p[i] === '{') {
    const end = p.indexOf('}', i)
    if (end < 0) return undefined
    name = p.slice(i + 1, end)
    next = end + 1
  } else {
    name = p[i] ?? ''
    next = i + 1
  }
  let neg = negated
  if (name.startsWith('^')) {
    neg = !neg
    name = name.slice(1)
  }
  if (!/^[A-Za-z_]+$/.test(name)) return undefined
  const value = name === 'Any' || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`
  return { text: `\\${neg ? 'P' : 'p'}{${value}}`, next }
}
