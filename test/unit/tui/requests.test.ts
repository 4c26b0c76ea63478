// The Requests view's data: the bounded log, the filter and its negation, and a request's hops.

import { describe, expect, test } from 'vitest'
import {
  hopFields,
  hopsOf,
  matches,
  parseFilter,
  RequestLog,
} from '../../../src/cli/tui/requests.ts'
import { gatewayRecord, request } from './fixture.ts'

describe('filter', () => {
  const [ok] = request('v1')
  const [failed] = request('v2', { code: 503, flags: ['UF'] })
  test('keeps records containing the text, case-insensitively; ! negates; empty keeps all', () => {
    expect(matches(ok, parseFilter('SLEEP'))).toBe(true)
    expect(matches(failed, parseFilter('uf'))).toBe(true)
    expect(matches(ok, parseFilter('uf'))).toBe(false)
    expect(matches(ok, parseFilter('!uf'))).toBe(true)
    expect(matches(failed, parseFilter('!uf'))).toBe(false)
    expect(matches(failed, parseFilter(''))).toBe(true)
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
  })
})
