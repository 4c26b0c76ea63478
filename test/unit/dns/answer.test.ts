// What the cluster DNS decides for a query, without sockets: A records for Services in the table,
// NODATA for other types, NXDOMAIN for unknown names, and drops for messages it cannot use.

import { describe, expect, test } from 'vitest'
import {
  ANSWER_TTL_SECONDS,
  answerQuestion,
  type DnsQuery,
  type DnsQuestion,
  decide,
} from '../../../src/dns/index.ts'
import type { NameTable } from '../../../src/xds/index.ts'

const HELLO = 'helloworld.sample.svc.cluster.local'
const A = 1
const AAAA = 28
const MX = 15
const ANY = 255
const IN = 1
const CH = 3

const table: NameTable = {
  records: new Map<string, readonly string[]>([
    [HELLO, ['10.0.0.5', '10.0.0.6']],
    ['empty.sample.svc.cluster.local', []],
    ['broken.sample.svc.cluster.local', ['10.0.0.7', 'not-an-ip', '::1']],
    ['helloworld.sample.global', ['240.0.0.2']],
  ]),
}

function q(name: string, type = A, cls = IN): DnsQuestion {
  return { name, type, class: cls }
}

function query(questions: readonly DnsQuestion[], header: Partial<DnsQuery> = {}): DnsQuery {
  return { qr: 0, opcode: 0, decodeErrors: 0, questions, ...header }
}

describe('names in the table', () => {
  test('an A query gets every address as an A record, authoritatively, with the TTL kube-dns uses', () => {
    expect(answerQuestion(q(HELLO), table)).toEqual({
      kind: 'reply',
      rcode: 'NOERROR',
      authoritative: true,
      answers: [
        { name: HELLO, ttl: ANSWER_TTL_SECONDS, address: '10.0.0.5' },
        { name: HELLO, ttl: ANSWER_TTL_SECONDS, address: '10.0.0.6' },
      ],
    })
    expect(ANSWER_TTL_SECONDS).toBe(30)
  })

  test('matching ignores case and the answer echoes the name as asked', () => {
    const asked = 'HelloWorld.Sample.SVC.Cluster.Local'
    const reply = answerQuestion(q(asked), table)
    expect(reply.rcode).toBe('NOERROR')
    expect(reply.answers.map((a) => a.name)).toEqual([asked, asked])
  })

  test('a trailing dot on the question name is accepted', () => {
    expect(answerQuestion(q(`${HELLO}.`), table).answers).toHaveLength(2)
  })

  test('an ANY query is answered with the A records', () => {
    expect(answerQuestion(q(HELLO, ANY), table).answers).toHaveLength(2)
  })

  test.each([
    ['AAAA', AAAA],
    ['MX', MX],
  ])('an %s query gets NOERROR with no records (NODATA)', (_label, type) => {
    expect(answerQuestion(q(HELLO, type), table)).toEqual({
      kind: 'reply',
      rcode: 'NOERROR',
      authoritative: true,
      answers: [],
    })
  })

  test('a name whose address list is empty exists but has no A records', () => {
    const reply = answerQuestion(q('empty.sample.svc.cluster.local'), table)
    expect(reply).toMatchObject({ rcode: 'NOERROR', authoritative: true, answers: [] })
  })

  test('addresses that are not IPv4 are left out of the answer', () => {
    const reply = answerQuestion(q('broken.sample.svc.cluster.local'), table)
    expect(reply.answers.map((a) => a.address)).toEqual(['10.0.0.7'])
  })
})

describe('names not in the table', () => {
  test('an unknown name in cluster.local gets an authoritative NXDOMAIN', () => {
    expect(answerQuestion(q('nope.sample.svc.cluster.local'), table)).toEqual({
      kind: 'reply',
      rcode: 'NXDOMAIN',
      authoritative: true,
      answers: [],
    })
  })

  test('an unknown name gets NXDOMAIN for AAAA too', () => {
    expect(answerQuestion(q('nope.sample.svc.cluster.local', AAAA), table).rcode).toBe('NXDOMAIN')
  })

  test.each(['sample.svc.cluster.local', 'svc.cluster.local', 'cluster.local'])(
    '%s, an ancestor of a Service name, exists: NOERROR with no records',
    (name) => {
      expect(answerQuestion(q(name), table)).toMatchObject({
        rcode: 'NOERROR',
        authoritative: true,
        answers: [],
      })
    },
  )

  test('a .global name is NXDOMAIN even when the table holds it: that zone is not served yet', () => {
    expect(answerQuestion(q('helloworld.sample.global'), table)).toEqual({
      kind: 'reply',
      rcode: 'NXDOMAIN',
      authoritative: false,
      answers: [],
    })
  })

  test.each(['example.com', 'xcluster.local', ''])(
    '"%s", outside cluster.local, gets a non-authoritative NXDOMAIN',
    (name) => {
      expect(answerQuestion(q(name), table)).toMatchObject({
        rcode: 'NXDOMAIN',
        authoritative: false,
      })
    },
  )

  test('a table swapped for another is answered from its own names', () => {
    const other: NameTable = { records: new Map([['other.ns.svc.cluster.local', ['10.0.0.9']]]) }
    expect(answerQuestion(q('ns.svc.cluster.local'), other).rcode).toBe('NOERROR')
    expect(answerQuestion(q('sample.svc.cluster.local'), other).rcode).toBe('NXDOMAIN')
  })
})

describe('whole messages', () => {
  test('a standard query with one question is answered', () => {
    expect(decide(query([q(HELLO)]), table)).toMatchObject({ kind: 'reply', rcode: 'NOERROR' })
  })

  test('a class other than IN is refused', () => {
    expect(decide(query([q(HELLO, A, CH)]), table)).toMatchObject({
      kind: 'reply',
      rcode: 'REFUSED',
      answers: [],
    })
  })

  test('an opcode other than QUERY gets NOTIMP', () => {
    expect(decide(query([q(HELLO)], { opcode: 2 }), table)).toMatchObject({
      kind: 'reply',
      rcode: 'NOTIMP',
      answers: [],
    })
  })

  test.each([
    ['a response (QR=1)', query([q(HELLO)], { qr: 1 })],
    ['no question', query([])],
    ['two questions', query([q(HELLO), q(HELLO)])],
    ['records that failed to decode', query([q(HELLO)], { decodeErrors: 1 })],
  ])('a message with %s is dropped with a reason', (_label, message) => {
    const decision = decide(message, table)
    expect(decision.kind).toBe('drop')
    expect(decision).toHaveProperty('reason', expect.any(String))
  })
})
