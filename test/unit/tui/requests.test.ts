// The Requests view's data: the bounded log, the k9s filter (regex, plain-text fallback, !
// negation, -f fuzzy) over each record's line and key fields, and a request's hops.

import { describe, expect, test } from 'vitest'
import {
  hopFields,
  hopsOf,
  matches,
  parseFilter,
  RequestLog,
} from '../../../src/cli/tui/requests.ts'
import type { AccessRecord } from '../../../src/runtime/index.ts'
import { gatewayRecord, request } from './fixture.ts'

describe('filter', () => {
  const [ok, okIn] = request('v1')
  const [failed] = request('v2', { code: 503, flags: ['UF'] })
  const [toV2] = request('v2')
  const keep = (input: string, ...records: AccessRecord[]) =>
    records.map((r) => matches(r, parseFilter(input)))

  test('keeps records containing the text, case-insensitively; ! negates; empty keeps all', () => {
    expect(matches(ok, parseFilter('SLEEP'))).toBe(true)
    expect(matches(failed, parseFilter('uf'))).toBe(true)
    expect(matches(ok, parseFilter('uf'))).toBe(false)
    expect(matches(ok, parseFilter('!uf'))).toBe(true)
    expect(matches(failed, parseFilter('!uf'))).toBe(false)
    expect(matches(failed, parseFilter(''))).toBe(true)
    expect(keep('!', ok, failed)).toEqual([true, true])
  })

  test('is a case-insensitive regex, like k9s', () => {
    expect(parseFilter('v[12]').mode).toBe('regex')
    // The inbound record at v1 names its workload; the outbound one only its peer.
    expect(keep('HELLOWORLD-V[12]', ok, okIn)).toEqual([false, true])
    expect(keep('\\b50[0-9]\\b', ok, failed)).toEqual([false, true])
    expect(keep('^\\d\\d:', ok)).toEqual([true])
    expect(keep('!inbound|UF', ok, okIn, failed)).toEqual([true, false, false])
    expect(keep('! 503', ok, failed)).toEqual([true, false])
  })

  test('text that is not a valid regex matches as plain text, saying why, and never throws', () => {
    const f = parseFilter('/hello(')
    expect(f.mode).toBe('text')
    expect(f.error).toMatch(/regular expression/i)
    expect(keep('GET helloworld.sample:5000/hello', ok)).toEqual([true])
    const odd = { ...ok, path: '/hello(world' }
    expect(keep('/HELLO(', odd, ok)).toEqual([true, false])
    expect(keep('!/hello(', odd, ok)).toEqual([false, true])
    for (const input of ['[', '*', '(?<', '\\', '!(', '-f', '!-f', '+', '?']) {
      expect(() => matches(ok, parseFilter(input)), input).not.toThrow()
    }
  })

  test('-f matches fuzzily: the characters in order within one word', () => {
    expect(parseFilter('-f hwv2').mode).toBe('fuzzy')
    expect(keep('-f hlwrld', ok)).toEqual([true])
    expect(keep('-f dlrowolleh', ok)).toEqual([false])
    // Within one word of the line or a field: the peer identity here.
    expect(keep('-f SPFSLEEP', okIn, ok)).toEqual([true, false])
    expect(keep('!-f spfsleep', okIn, ok)).toEqual([false, true])
  })

  test('searches fields the line leaves out: SNI, upstream host and cluster, peer, request id', () => {
    // The inbound record: SNI and peer identity are not on its line.
    expect(keep('outbound_\\.5000_\\._\\.helloworld', okIn, ok)).toEqual([true, false])
    expect(keep('ns/sample/sa/sleep', okIn, ok)).toEqual([true, false])
    expect(keep('10\\.10\\.0\\.4:5000', ok, failed)).toEqual([true, false])
    expect(keep('outbound\\|5000\\|\\|helloworld', ok, okIn)).toEqual([true, false])
    expect(keep(ok.requestId ?? 'x', ok, failed)).toEqual([true, false])
    // The peer workload's cluster (the line names only the logging proxy's).
    expect(keep('cluster2', toV2, ok)).toEqual([true, false])
  })
})

describe('RequestLog', () => {
  test('keeps the latest records, oldest first', () => {
    const log = new RequestLog(10)
    const all = Array.from({ length: 25 }, () => request('v1')[0])
    for (const r of all) log.add(r)
    expect(log.all()).toEqual(all.slice(-10))
  })
})

describe('hopsOf', () => {
  test('orders client sidecar, gateway (matched by connection) and server sidecar', () => {
    const [out, inb] = request('v2', { port: 41234 })
    const [other] = request('v1')
    const gw = gatewayRecord('10.10.0.5:41234')
    const hops = hopsOf(inb, [inb, other, gw, gatewayRecord('10.10.0.5:1'), out])
    expect(hops.map((x) => x.role)).toEqual(['client sidecar', 'gateway', 'server sidecar'])
    expect(hops[1]?.record).toBe(gw)
    const fields = Object.fromEntries(hopFields(inb))
    expect(fields).toMatchObject({
      route: 'default',
      endpoint: '10.20.0.4:5000',
      SNI: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
      peer: 'spiffe://cluster.local/ns/sample/sa/sleep',
      code: '200 -',
    })
    expect(fields).not.toHaveProperty('bytes')
  })

  test('hopFields: ALPN; the SNI the client sent when it was asked for none; bytes of a connection', () => {
    const [out] = request('v2')
    const sni = 'outbound_.5000_._.helloworld.sample.svc.cluster.local'
    expect(
      Object.fromEntries(hopFields({ ...out, upstreamSni: sni, alpn: 'http/1.1' })),
    ).toMatchObject({
      SNI: sni,
      ALPN: 'http/1.1',
    })
    expect(Object.fromEntries(hopFields(out))).not.toHaveProperty('ALPN')
    const gw = Object.fromEntries(hopFields(gatewayRecord('10.10.0.5:1')))
    expect(gw).toMatchObject({ SNI: sni, cluster: sni, bytes: '4060 received, 5686 sent' })
  })
})
