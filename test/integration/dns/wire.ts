// Test helpers for the cluster DNS: start a server that closes when the test ends, and exchange
// raw bytes with it over UDP and TCP so tests can send garbage as well as queries.

import { createSocket } from 'node:dgram'
import { connect, type Socket } from 'node:net'
import { Packet } from 'dns2'
import { onTestFinished } from 'vitest'
import { type DnsServer, startDnsServer } from '../../../src/dns/index.ts'
import type { NameTable } from '../../../src/xds/index.ts'

export const HELLO = 'helloworld.sample.svc.cluster.local'

export function table(entries: Record<string, readonly string[]>): NameTable {
  return { records: new Map(Object.entries(entries)) }
}

export const SAMPLE = table({ [HELLO]: ['10.0.0.5', '10.0.0.6'] })

/** Starts a server on 127.0.0.1 port 0 and closes it when the current test finishes. */
export async function serve(names: NameTable = SAMPLE): Promise<DnsServer> {
  const server = await startDnsServer({ table: names })
  onTestFinished(() => server.close())
  return server
}

/** An encoded standard query with recursion desired, as stub resolvers send. */
export function encodeQuery(name: string, type: keyof typeof Packet.TYPE = 'A'): Buffer {
  const packet = new Packet()
  packet.header.id = Packet.uuid()
  packet.header.rd = 1
  packet.questions.push(new Packet.Question(name, Packet.TYPE[type], Packet.CLASS.IN))
  return packet.toBuffer()
}

/**
 * Sends each datagram in order from one socket and resolves with the first reply. The server
 * reads its socket in order, so by then it has handled every datagram sent before the last.
 */
export function udpExchange(port: number, datagrams: readonly Buffer[]): Promise<Packet> {
  const socket = createSocket('udp4')
  return new Promise<Packet>((resolve, reject) => {
    socket.on('error', reject)
    socket.on('message', (message) => resolve(Packet.parse(message)))
    for (const datagram of datagrams) socket.send(datagram, port, '127.0.0.1')
  }).finally(() => socket.close())
}

/** A TCP connection to the server that is destroyed when the current test finishes. */
export function tcpConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host })
  onTestFinished(() => {
    socket.destroy()
  })
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve(socket)
    })
  })
}

/** Resolves once the peer has closed the connection, with whatever bytes it sent first. */
export function closedByPeer(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('error', () => {}) // a reset is one way of being closed
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))))
}

/** Prefixes a message with its two-octet length, as DNS over TCP frames it (RFC 1035 §4.2.2). */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(message.length)
  return Buffer.concat([length, message])
}
