// Envoy's route match semantics on plain values: path conditions against the path without its
// query string, header conditions (present, inverted, repeated), RE2 whole-value regexes, and
// the weighted-cluster pick.

import { describe, expect, test } from 'vitest'
import { seededRandom } from '../../../src/proxy/index.ts'
import {
  compileRouteMatch,
  joinedHeader,
  pickWeighted,
  totalWeight,
  withoutQuery,
} from '../../../src/sidecar/route-match.ts'
import type { HeaderMatcher, RouteMatch, StringMatcher } from '../../../src/xds/index.ts'

function matcher(m: RouteMatch) {
  const invalid: string[] = []
  const test = compileRouteMatch(m, (p) => invalid.push(p))
  return {
    invalid,
    path: (path: string) => test(path, 'helloworld:5000', 'GET', []),
    headers: (headers: string[], path = '/') => test(path, 'helloworld:5000', 'GET', headers),
    request: (path: string, authority: string, method: string, headers: string[] = []) =>
      test(path, authority, method, headers),
  }
}

const onPath = (path: StringMatcher, ignoreCase = false) =>
  matcher({ path, ignoreCase, headers: [] }).path
const onHeaders = (...headers: HeaderMatcher[]) => matcher({ headers }).headers

describe('path conditions', () => {
  test('a prefix matches any path that starts with it, even mid-segment', () => {
    const m = onPath({ prefix: '/api' })
    expect([m('/api'), m('/api/v1'), m('/apix'), m('/api?x=1')]).toEqual([true, true, true, true])
    expect([m('/ap'), m('/'), m('/v1/api')]).toEqual([false, false, false])
  })

  test('an exact path matches only that path, whatever query string follows', () => {
    const m = onPath({ exact: '/api' })
    expect([m('/api'), m('/api?x=1'), m('/api#top')]).toEqual([true, true, true])
    expect([m('/api/'), m('/api/v1'), m('/apix'), m('/ap')]).toEqual([false, false, false, false])
  })

  test('no path condition, or an empty prefix, matches every path', () => {
    expect(matcher({ headers: [] }).path('/anything?at=all')).toBe(true)
    expect(onPath({ prefix: '' })('/x')).toBe(true)
  })

  test('the query string is not part of the compared path, so values holding ? never match', () => {
    expect(onPath({ prefix: '/api?x' })('/api?x=1')).toBe(false)
    expect(onPath({ exact: '/api?x=1' })('/api?x=1')).toBe(false)
  })

  test('a regex must match the whole path, the query string left out', () => {
    const m = onPath({ regex: '/v[12]/.*' })
    expect([m('/v1/a'), m('/v2/'), m('/v1/a?q=/xv1/')]).toEqual([true, true, true])
    expect([m('/xv1/a'), m('/v1'), m('/v3/a')]).toEqual([false, false, false])
    expect(onPath({ regex: '.*x=1' })('/api?x=1')).toBe(false)
  })

  test('ignoreCase folds ASCII case for prefix and exact paths but not for a regex', () => {
    expect(onPath({ prefix: '/API' }, true)('/api/v1')).toBe(true)
    expect(onPath({ exact: '/Api' }, true)('/aPI?x')).toBe(true)
    expect(onPath({ exact: '/Api' }, true)('/aPIs')).toBe(false)
    expect(onPath({ prefix: '/API' })('/api/v1')).toBe(false)
    expect(onPath({ regex: '/api' }, true)('/API')).toBe(false)
  })
})

describe('header conditions', () => {
  test('an exact value matches only that value, names compared case-insensitively', () => {
    const m = onHeaders({ name: 'end-user', match: { exact: 'jason' } })
    expect(m(['End-User', 'jason'])).toBe(true)
    expect(m(['end-user', 'Jason'])).toBe(false)
    expect(m(['end-user', 'jasonx'])).toBe(false)
    expect(m([])).toBe(false)
  })

  test('prefix and regex values; a regex must match the whole value', () => {
    expect(onHeaders({ name: 'x-v', match: { prefix: 'v1' } })(['x-v', 'v1.2'])).toBe(true)
    const re = onHeaders({ name: 'x-v', match: { regex: 'v[0-9]+' } })
    expect([re(['x-v', 'v12']), re(['x-v', 'v12b']), re(['x-v', 'av1'])]).toEqual([
      true,
      false,
      false,
    ])
  })

  test('no value condition means the header must be present, with any value', () => {
    const m = onHeaders({ name: 'x-canary' })
    expect([m(['x-canary', '']), m(['x-canary', 'no']), m(['x-other', '1'])]).toEqual([
      true,
      true,
      false,
    ])
  })

  test('invert negates a present header, and an inverted presence check matches its absence', () => {
    const notJason = onHeaders({ name: 'end-user', match: { exact: 'jason' }, invert: true })
    expect(notJason(['end-user', 'mary'])).toBe(true)
    expect(notJason(['end-user', 'jason'])).toBe(false)
    const absent = onHeaders({ name: 'x-canary', invert: true })
    expect([absent([]), absent(['x-canary', '1'])]).toEqual([true, false])
  })

  test('a missing header fails an inverted value condition, as in Envoy', () => {
    expect(onHeaders({ name: 'end-user', match: { exact: 'jason' }, invert: true })([])).toBe(false)
  })

  test('a repeated header is matched as its values joined with a comma', () => {
    const m = onHeaders({ name: 'x-tag', match: { exact: 'a,b' } })
    expect(m(['x-tag', 'a', 'X-Tag', 'b'])).toBe(true)
    expect(m(['x-tag', 'a'])).toBe(false)
    expect(joinedHeader(['x-tag', 'a', 'other', 'z', 'x-tag', 'b'], 'x-tag')).toBe('a,b')
    expect(joinedHeader([], 'x-tag')).toBeUndefined()
  })

  test('every header condition and the path condition must hold', () => {
    const m = matcher({
      path: { prefix: '/api' },
      headers: [
        { name: 'end-user', match: { exact: 'jason' } },
        { name: 'x-v', match: { prefix: 'v2' } },
      ],
    }).headers
    expect(m(['end-user', 'jason', 'x-v', 'v2'], '/api/x')).toBe(true)
    expect(m(['end-user', 'jason'], '/api/x')).toBe(false)
    expect(m(['end-user', 'jason', 'x-v', 'v2'], '/web')).toBe(false)
  })

  test('pseudo-headers read the request line and authority', () => {
    const m = matcher({
      headers: [
        { name: ':method', match: { exact: 'POST' } },
        { name: ':authority', match: { prefix: 'helloworld' } },
      ],
    }).request
    expect(m('/', 'helloworld:5000', 'POST')).toBe(true)
    expect(m('/', 'helloworld:5000', 'GET')).toBe(false)
    expect(m('/', 'other:5000', 'POST')).toBe(false)
  })
})

describe('regexes RE2 would reject', () => {
  test.each([
    ['(?=a)a', 'lookahead'],
    ['(?<=a)b', 'lookbehind'],
    ['(a)\\1', 'backreference'],
    ['(a', 'unbalanced group'],
    ['\\q', 'unknown escape'],
    ['(?U)a*', 'ungreedy flag'],
  ])('%s (%s) never matches and is reported', (pattern) => {
    const m = matcher({ path: { regex: pattern }, headers: [] })
    expect(m.path('/a')).toBe(false)
    expect(m.path(pattern)).toBe(false)
    expect(m.invalid).toEqual([pattern])
  })

  test('a route with a bad regex never matches, even through an inverted header condition', () => {
    const m = matcher({ headers: [{ name: 'x', match: { regex: '[' }, invert: true }] })
    expect([m.headers(['x', '[']), m.headers(['x', 'y'])]).toEqual([false, false])
    expect(m.invalid).toEqual(['['])
  })
})

describe('weighted clusters', () => {
  const split = [
    { name: 'a', weight: 25 },
    { name: 'b', weight: 75 },
  ]

  test('picks are proportional to weight over the total', () => {
    const random = seededRandom(11)
    const total = totalWeight(split)
    const counts: Record<string, number> = {}
    const n = 4000
    for (let i = 0; i < n; i++) {
      const c = pickWeighted(split, total, random) ?? 'none'
      counts[c] = (counts[c] ?? 0) + 1
    }
    expect(total).toBe(100)
    expect(counts.a ?? 0).toBeGreaterThan(n * 0.22)
    expect(counts.a ?? 0).toBeLessThan(n * 0.28)
    expect((counts.a ?? 0) + (counts.b ?? 0)).toBe(n)
  })

  test('weights need not sum to 100: they are normalised by their total', () => {
    const pairs = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 3 },
    ]
    expect(totalWeight(pairs)).toBe(4)
    expect(pickWeighted(pairs, 4, () => 0.2499)).toBe('a')
    expect(pickWeighted(pairs, 4, () => 0.25)).toBe('b')
    expect(pickWeighted(pairs, 4, () => 0.999999)).toBe('b')
  })

  test('a destination of weight 0 is never picked', () => {
    const clusters = [
      { name: 'zero', weight: 0 },
      { name: 'b', weight: 1 },
      { name: 'zero-too', weight: 0 },
    ]
    const random = seededRandom(3)
    for (const edge of [0, 0.5, 0.9999999]) {
      expect(pickWeighted(clusters, 1, () => edge)).toBe('b')
    }
    for (let i = 0; i < 500; i++) expect(pickWeighted(clusters, 1, random)).toBe('b')
  })

  test('nothing is picked when every weight is 0', () => {
    const zero = [{ name: 'a', weight: 0 }]
    expect(pickWeighted(zero, totalWeight(zero), Math.random)).toBeUndefined()
  })
})

test('withoutQuery cuts at the first ? or #', () => {
  expect(['/a?b#c', '/a#b?c', '/a', '/a?'].map(withoutQuery)).toEqual(['/a', '/a', '/a', '/a'])
})
