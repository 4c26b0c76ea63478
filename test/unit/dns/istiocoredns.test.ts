// istiocoredns without sockets (istio-semantics §5.3): the names it serves from ServiceEntries,
// its answers (A only, TTL 3600, authoritative; NXDOMAIN for everything else), and the cluster
// DNS's decision to forward the `global` zone to it.

import { describe, expect, test } from 'vitest'
import {
  answerGlobal,
  type DnsQuery,
  decide,
  GLOBAL_TTL_SECONDS,
  type StubDomain,
  serviceEntryNames,
} from '../../../src/dns/index.ts'
import { namespace, type ServiceEntry } from '../../../src/model/index.ts'

const A = 1
const AAAA = 28
const IN = 1

const entry = (name: string, spec: Partial<ServiceEntry['spec']>): ServiceEntry => ({
  kind: 'ServiceEntry',
  metadata: { name, namespace: namespace('foo') },
  spec: { hosts: [], resolution: 'DNS', ...spec },
})

const table = serviceEntryNames([
  entry('httpbin-bar', { hosts: ['httpbin.bar.global'], addresses: ['240.0.0.2'] }),
  entry('no-address', { hosts: ['reviews.default.global'] }),
  entry('cidr', { hosts: ['net.example.global'], addresses: ['240.0.1.0/24', '240.0.2.1/32'] }),
  entry('wild', { hosts: ['*.wild.global'], addresses: ['240.0.0.9'] }),
  entry('none', { hosts: ['passthrough.global'], resolution: 'NONE', addresses: ['240.0.0.8'] }),
  entry('later', { hosts: ['httpbin.bar.global'], addresses: ['240.0.0.99'] }),
])

const ask = (name: string, type = A) => answerGlobal({ name, type, class: IN }, table)

describe('the names istiocoredns serves', () => {
  test('each host maps to its entry addresses; the first entry for a host wins', () => {
    expect(table.records.get('httpbin.bar.global')).toEqual(['240.0.0.2'])
  })

  test('an entry without addresses gets 127.255.<i/256>.<i%256>, i its place in the list', () => {
    expect(table.records.get('reviews.default.global')).toEqual(['127.255.0.1'])
  })

  test('CIDRs are no answer, /32s are; resolution NONE is left out', () => {
    expect(table.records.get('net.example.global')).toEqual(['240.0.2.1'])
    expect(table.records.has('passthrough.global')).toBe(false)
  })
})

describe('answers', () => {
  test('an A query gets the addresses, authoritatively, with TTL 3600, under the asked name', () => {
    expect(ask('HTTPBIN.bar.global')).toEqual({
      kind: 'reply',
      rcode: 'NOERROR',
      authoritative: true,
      answers: [{ name: 'HTTPBIN.bar.global', ttl: GLOBAL_TTL_SECONDS, address: '240.0.0.2' }],
    })
    expect(GLOBAL_TTL_SECONDS).toBe(3600)
  })

  test('an unknown name, and AAAA for a known one, get NXDOMAIN', () => {
    expect(ask('foo.bar.global')).toMatchObject({ rcode: 'NXDOMAIN', answers: [] })
    expect(ask('httpbin.bar.global', AAAA)).toMatchObject({ rcode: 'NXDOMAIN', answers: [] })
  })

  test('a wildcard host answers deeper names, not its own base name', () => {
    expect(ask('a.wild.global').answers.map((r) => r.address)).toEqual(['240.0.0.9'])
    expect(ask('a.b.wild.global').answers.map((r) => r.address)).toEqual(['240.0.0.9'])
    expect(ask('wild.global').rcode).toBe('NXDOMAIN')
  })
})

describe('the cluster DNS with a stub domain', () => {
  const stub: StubDomain = { zone: 'global', server: { address: '127.0.0.1', port: 5353 } }
  const query = (name: string): DnsQuery => ({
    qr: 0,
    opcode: 0,
    decodeErrors: 0,
    questions: [{ name, type: A, class: IN }],
  })
  const kube = { records: new Map([['sleep.foo.svc.cluster.local', ['10.100.0.5']]]) }

  test('forwards names in the zone, the zone itself included, whatever their case', () => {
    for (const name of ['httpbin.bar.global', 'GLOBAL', 'x.Global.']) {
      expect(decide(query(name), kube, undefined, [stub])).toEqual({ kind: 'forward', stub })
    }
  })

  test('answers the cluster zone itself, and names that only end like the zone', () => {
    expect(decide(query('sleep.foo.svc.cluster.local'), kube, undefined, [stub])).toMatchObject({
      kind: 'reply',
      rcode: 'NOERROR',
    })
    expect(decide(query('notglobal'), kube, undefined, [stub])).toMatchObject({
      kind: 'reply',
      rcode: 'NXDOMAIN',
    })
  })
})
