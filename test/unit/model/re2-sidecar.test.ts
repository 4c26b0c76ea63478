// RE2 patterns as Envoy's safe_regex reads them: whole-value matches, RE2-only syntax rewritten,
// and what RE2 rejects refused rather than read the JavaScript way.

import { describe, expect, test } from 'vitest'
import { tryCompileRe2 as compileRe2 } from '../../../src/model/index.ts'

const matches = (pattern: string, value: string): boolean => {
  const re = compileRe2(pattern)
  if (re === undefined) throw new Error(`${pattern} did not compile`)
  return re.test(value)
}

describe('whole-value matching', () => {
  test('a pattern must cover the whole value, as RE2::FullMatch', () => {
    expect(matches('v1', 'v1')).toBe(true)
    expect(matches('v1', 'xv1')).toBe(false)
    expect(matches('v1', 'v1x')).toBe(false)
  })

  test('alternation is anchored as a whole, so a longer alternative still matches', () => {
    expect(matches('a|ab', 'ab')).toBe(true)
    expect(matches('ab|a', 'a')).toBe(true)
  })

  test('a flag set mid-pattern applies only to what follows it', () => {
    expect(matches('a(?i)b', 'aB')).toBe(true)
    expect(matches('a(?i)b', 'AB')).toBe(false)
  })

  test('(?m) does not let the anchors stop at a line end', () => {
    expect(matches('(?m)a', 'a\nb')).toBe(false)
    expect(matches('(?m)a\\nb', 'a\nb')).toBe(true)
  })
})

describe('RE2 syntax', () => {
  test.each([
    ['(?i)jason', 'JaSoN'],
    ['(?s)a.b', 'a\nb'],
    ['(?P<id>[0-9]+)', '123'],
    ['[[:digit:]]+-[[:alpha:]]+', '12-ab'],
    ['[^[:space:]]+', 'abc'],
    ['\\Qa.b*\\E', 'a.b*'],
    ['\\x41\\x{42}', 'AB'],
    ['\\101', 'A'],
    ['\\pL+', 'héllo'],
    ['\\p{Greek}+', 'αβγ'],
    ['/api/{id}', '/api/{id}'],
    ['a{2}', 'aa'],
    ['a{2,}', 'aaa'],
    ['\\-\\_\\:\\#', '-_:#'],
    ['[]a]+', ']a]'],
    ['\\Aabc\\z', 'abc'],
    ['\\d\\w\\s', '1a '],
  ])('%s matches %j', (pattern, value) => {
    expect(matches(pattern, value)).toBe(true)
  })

  test.each([
    ['\\Qa.b\\E', 'axb'],
    ['\\s', '\v'],
    ['\\s', '\u00a0'],
    ['[[:alpha:]]', 'é'],
    ['a.b', 'a\nb'],
  ])('%s does not match %j', (pattern, value) => {
    expect(matches(pattern, value)).toBe(false)
  })

  test.each([
    '(?=a)',
    '(?!a)',
    '(?<=a)b',
    '(?<!a)b',
    '(a)\\1',
    '\\8',
    '\\k<a>',
    '\\Z',
    '\\C',
    '(?U)a',
    '[[:nope:]]',
    '[a',
    '\\',
    '(?P=name)',
  ])('%s is rejected', (pattern) => {
    expect(compileRe2(pattern)).toBeUndefined()
  })
})
