// The cluster DNS server on real loopback sockets: queries over UDP and TCP through dns2's own
// clients, garbage that must not stop it, what it binds, and how it closes.

import { TCPClient, UDPClient } from 'dns2'
import { describe, expect, test } from 'vitest'
import { DnsListenError, type DnsServer, startDnsServer } from '../../../src/dns/index.ts'
import {
  closedByPeer,
  encodeQuery,
  frame,
  HELLO,
  SAMPLE,
  serve,
  table,
  tcpConnect,
  udpExchange,
} from './wire.ts'

const NXDOMAIN = 3
const A = 1

type Transport = 'udp' | 'tcp'
const TRANSPORTS: readonly Transport[] = ['udp', 'tcp']

function resolver(server: DnsServer, transport: Transport) {
  return transport === 'udp'
    ? UDPClient({ dns: '127.0.0.1', port: server.udp.port, timeout: 5_000, retryOverTCP: false })
    : TCPClient({ dns: '127.0.0.1', port: server.tcp.port })
}

describe.each(TRANSPORTS)('queries over %s', (transport) => {
  test('an A query for a Service gets its addresses, authoritatively, under the asked name', async () => {
    const server = await serve()
    const asked = 'HelloWorld.Sample.svc.cluster.local'
    const response = await resolver(server, transport)(asked, 'A')
    expect(response.header).toMatchObject({ qr: 1, aa: 1, rcode: 0 })
    expect(response.answers.map((a) => [a.name, a.type, a.ttl, a.address])).toEqual([
      [asked, A, 30, '10.0.0.5'],
      [asked, A, 30, '10.0.0.6'],
    ])
    expect(server.stats()).toMatchObject({ queries: 1, [transport]: 1, noerror: 1 })
  })

  test('a name not in the table gets NXDOMAIN', async () => {
    const server = await serve()
    const response = await resolver(server, transport)('nope.sample.svc.cluster.local', 'A')
    expect(response.header.rcode).toBe(NXDOMAIN)
    expect(response.answers).toEqual([])
    expect(server.stats()).toMatchObject({ queries: 1, nxdomain: 1 })
  })

  test('an AAAA query for a Service gets NOERROR with no answers', async () => {
    const server = await serve()
    const response = await resolver(server, transport)(HELLO, 'AAAA')
    expect(response.header).toMatchObject({ rcode: 0, aa: 1 })
    expect(response.answers).toEqual([])
  })
})

test('queries after setTable are answered from the new table', async () => {
  const server = await serve()
  const query = resolver(server, 'udp')
  expect((await query(HELLO, 'A')).answers).toHaveLength(2)
  server.setTable(table({ 'httpbin.sample.svc.cluster.local': ['10.0.0.8'] }))
  expect((await query(HELLO, 'A')).header.rcode).toBe(NXDOMAIN)
  const moved = await query('httpbin.sample.svc.cluster.local', 'A')
  expect(moved.answers.map((a) => a.address)).toEqual(['10.0.0.8'])
})

describe('malformed messages', () => {
  test.each([
    ['shorter than a header', Buffer.from([0xde, 0xad, 0xbe])],
    ['junk with a header', Buffer.from('this is not a DNS message, not at all')],
    ['a response (QR=1)', responseMessage()],
  ])('a datagram %s is dropped, counted, and the next query answered', async (_label, junk) => {
    const server = await serve()
    const reply = await udpExchange(server.udp.port, [junk, encodeQuery(HELLO)])
    expect(reply.answers.map((a) => a.address)).toEqual(['10.0.0.5', '10.0.0.6'])
    expect(server.stats()).toMatchObject({ malformed: 1, queries: 1, errors: 0 })
  })

  test.each([
    ['a frame shorter than a header', frame(Buffer.from([1, 2, 3]))],
    ['a frame of junk', frame(Buffer.from('this is not a DNS message, not at all'))],
    ['a length prefix promising more than is sent', Buffer.from([0x01, 0x00, 1, 2, 3])],
  ])(
    'a TCP connection sending %s is closed and counted; the server keeps serving',
    async (_label, junk) => {
      const server = await serve()
      const socket = await tcpConnect(server.tcp.port)
      const closed = closedByPeer(socket)
      socket.end(junk)
      expect(await closed).toEqual(Buffer.alloc(0))
      expect(server.stats()).toMatchObject({ malformed: 1 })
      const response = await resolver(server, 'tcp')(HELLO, 'A')
      expect(response.answers).toHaveLength(2)
      expect(server.stats()).toMatchObject({ malformed: 1, queries: 1 })
    },
  )
})

describe('binding', () => {
  test('both transports bind 127.0.0.1 only', async () => {
    const server = await serve()
    expect(server.udp.address).toBe('127.0.0.1')
    expect(server.tcp.address).toBe('127.0.0.1')
    // All of 127/8 is loopback on Linux: a wildcard bind would accept this connection.
    await expect(tcpConnect(server.tcp.port, '127.0.0.2')).rejects.toThrow()
  })

  test('port 0 gives every transport of every server its own real port', async () => {
    const [one, two] = await Promise.all([serve(), serve()])
    for (const server of [one, two]) {
      expect(server.udp.port).toBeGreaterThan(0)
      expect(server.tcp.port).toBeGreaterThan(0)
    }
    expect(one.udp.port).not.toBe(two.udp.port)
    expect(one.tcp.port).not.toBe(two.tcp.port)
  })

  test('an address it cannot bind rejects with DnsListenError', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never a local address.
    const start = startDnsServer({ table: SAMPLE, host: '192.0.2.1' as '127.0.0.1' })
    await expect(start).rejects.toBeInstanceOf(DnsListenError)
    await expect(start).rejects.toMatchObject({ code: 'MESHSIM_DNS_LISTEN_FAILED' })
  })
})

describe('close', () => {
  test('close() drops idle TCP connections instead of waiting for them', async () => {
    const server = await startDnsServer({ table: SAMPLE })
    const socket = await tcpConnect(server.tcp.port)
    const closed = closedByPeer(socket)
    await server.close()
    await closed
    await expect(tcpConnect(server.tcp.port)).rejects.toThrow()
  })

  test('close() can be called more than once', async () => {
    const server = await startDnsServer({ table: SAMPLE })
    await Promise.all([server.close(), server.close()])
    await expect(server.close()).resolves.toBeUndefined()
  })
})

/** A well-formed answer to HELLO, which a server must not answer in turn. */
function responseMessage(): Buffer {
  const query = encodeQuery(HELLO)
  query[2] = (query[2] ?? 0) | 0x80
  return query
}
