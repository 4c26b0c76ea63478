import { describe, expect, test } from 'vitest'
import { compileRe2, re2Problem } from '../../../src/model/index.ts'

describe('RE2 patterns run as JavaScript with RE2 meaning', () => {
  test.each([
    ['/api/v[0-9]+/.*', '/api/v2/users', '/v2/api/v2/'],
    ['(?i)jason', 'JaSoN', 'jasonx'],
    ['a(?i)b|c', 'C', 'ab2'],
    ['(?P<version>v[0-9])-.*', 'v1-canary', 'x-v1'],
    ['\\Ajason\\z', 'jason', 'jason\n'],
    ['[[:alpha:]]+-[[:digit:]]', 'abc-1', 'abc-x'],
    ['\\Qa.b\\E', 'a.b', 'axb'],
    ['\\pL+', 'hélло', 'a1'],
    ['\\101', 'A', 'B'],
    ['[]a]+', ']a]', 'b'],
    ['x{2,3}', 'xxx', 'xxxx'],
  ])('%s matches %j and not %j, always the whole value', (re, yes, no) => {
    expect(re2Problem(re)).toBeUndefined()
    const rx = compileRe2(re)
    expect(rx.test(yes)).toBe(true)
    expect(rx.test(no)).toBe(false)
  })

  test('a match is anchored to the whole value, as Envoy safe_regex is', () => {
    expect(compileRe2('jason').test('my jason')).toBe(false)
  })
})

describe('what RE2 lacks is refused, as Istio refuses it', () => {
  test.each([
    ['(?=jason)j.*', 'lookahead'],
    ['(?<!x)y', 'lookahead and lookbehind'],
    ['(a)\\1', 'backreferences'],
    ['(?P<n>a)(?P=n)', 'named backreferences'],
    ['a{1001}', 'repeat count'],
    ['\\qx', 'not a valid escape'],
    ['a**', 'nothing to repeat'],
    ['[a-', 'not closed'],
    [`${'a'.repeat(1025)}`, 'at most 1024'],
  ])('%s', (re, why) => {
    const p = re2Problem(re)
    expect(p?.unsupported).toBe(false)
    expect(p?.message).toContain(why)
    expect(() => compileRe2(re)).toThrow(/^invalid RE2 pattern/)
  })

  test('the ungreedy flag is valid RE2 that meshsim cannot run, said so', () => {
    expect(re2Problem('(?U)a+')).toMatchObject({ unsupported: true })
  })
})
