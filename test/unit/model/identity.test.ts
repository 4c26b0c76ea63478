import { expect, test } from 'vitest'
import {
  namespace,
  parseSpiffeId,
  serviceAccount,
  spiffeId,
  trustDomain,
} from '../../../src/model/index.ts'

test('a SPIFFE id built from an identity parses back to it', () => {
  const id = {
    trustDomain: trustDomain('cluster.local'),
    namespace: namespace('sample'),
    serviceAccount: serviceAccount('sleep'),
  }
  expect(spiffeId(id)).toBe('spiffe://cluster.local/ns/sample/sa/sleep')
  expect(parseSpiffeId(spiffeId(id))).toEqual(id)
})

test.each([
  'https://cluster.local/ns/a/sa/b',
  'spiffe://cluster.local',
  'spiffe://cluster.local/ns/a/sa/b/../c',
  'spiffe://Cluster.Local/ns/a/sa/b',
  'spiffe://cluster.local/ns/../sa/b',
])('%s is not a canonical Istio identity', (uri) => {
  expect(parseSpiffeId(uri)).toBeUndefined()
})
