// The cluster DNS forwarding its `global` stub domain to istiocoredns over real loopback sockets:
// clients over UDP and TCP get istiocoredns's answer under their own query id, and SERVFAIL when
// the stub server stays silent.

import { createSocket } from 'node:dgram'
import { TCPClient, UDPClient } from 'dns2'
import { describe, expect, onTestFinished, test } from 'vitest'
import {
  answerGlobal,
  type DnsServer,
  type StubDomain,
  startDnsServer,
} from '../../../src/dns/index.ts'
import { SAMPLE, serve, table } from './wire.ts'

const NOERROR = 0
const SERVFAIL = 2
const NXDOMAIN = 3

async function started(server: Promise<DnsServer>): Promise<DnsServer> {
  const s = await server
  onTestFinished(() => s.close())
  return s
}

/** A cluster DNS whose `global` zone goes to a fresh istiocoredns serving httpbin.bar.global. */
async function clusterDns(): Promise<{ dns: DnsServer; coredns: DnsServer }> {
  const coredns = await started(
    startDnsServer({ table: table({ 'httpbin.bar.global': ['240.0.0.2'] }), answer: answerGlobal }),
  )
  const stub: StubDomain = { zone: 'global', server: coredns.udp }
  const dns = await started(startDnsServer({ table: SAMPLE, stubDomains: [stub] }))
  return { dns, coredns }
}

describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  const resolver = (dns: DnsServer) =>
    transport === 'udp'
      ? UDPClient({ dns: '127.0.0.1', port: dns.udp.port, timeout: 5_000, retryOverTCP: false })
      : TCPClient({ dns: '127.0.0.1', port: dns.tcp.port })

  test("a .global name gets istiocoredns's A record, TTL 3600, authoritative", async () => {
    const { dns, coredns } = await clusterDns()
    const response = await resolver(dns)('httpbin.bar.global', 'A')
    expect(response.header).toMatchObject({ qr: 1, aa: 1, rcode: NOERROR })
    expect(response.answers.map((a) => [a.name, a.ttl, a.address])).toEqual([
      ['httpbin.bar.global', 3600, '240.0.0.2'],
    ])
    expect(dns.stats()).toMatchObject({ queries: 1, forwarded: 1, noerror: 1, [transport]: 1 })
    expect(coredns.stats()).toMatchObject({ queries: 1, udp: 1 })
  })

  test('an unknown .global name and AAAA for a known one come back NXDOMAIN', async () => {
    const { dns } = await clusterDns()
    const ask = resolver(dns)
    expect((await ask('foo.bar.global', 'A')).header.rcode).toBe(NXDOMAIN)
    expect((await ask('httpbin.bar.global', 'AAAA')).header.rcode).toBe(NXDOMAIN)
    expect(dns.stats()).toMatchObject({ forwarded: 2, nxdomain: 2 })
  })

  test('cluster names are still answered by the cluster DNS itself', async () => {
    const { dns, coredns } = await clusterDns()
    const response = await resolver(dns)('helloworld.sample.svc.cluster.local', 'A')
    expect(response.answers.map((a) => a.address)).toEqual(['10.0.0.5', '10.0.0.6'])
    expect(coredns.stats().queries).toBe(0)
  })
})

test('a stub server that never answers leaves the client with SERVFAIL', async () => {
  const silent = createSocket('udp4')
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
  onTestFinished(() => new Promise<void>((resolve) => silent.close(() => resolve())))
  const server = { address: '127.0.0.1', port: silent.address().port }
  const dns = await started(
    startDnsServer({
      table: SAMPLE,
      stubDomains: [{ zone: 'global', server }],
      forwardTimeoutMs: 50,
    }),
  )
  const ask = UDPClient({
    dns: '127.0.0.1',
    port: dns.udp.port,
    timeout: 5_000,
    retryOverTCP: false,
  })
  const response = await ask('httpbin.bar.global', 'A')
  expect(response.header).toMatchObject({ rcode: SERVFAIL, aa: 0 })
  expect(dns.stats()).toMatchObject({ forwarded: 1, servfail: 1, errors: 0 })
})

test('a server without stub domains does not forward', async () => {
  const dns = await serve()
  const ask = UDPClient({
    dns: '127.0.0.1',
    port: dns.udp.port,
    timeout: 5_000,
    retryOverTCP: false,
  })
  expect((await ask('httpbin.bar.global', 'A')).header.rcode).toBe(NXDOMAIN)
  expect(dns.stats().forwarded).toBe(0)
})
