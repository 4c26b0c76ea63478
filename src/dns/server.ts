// A cluster's DNS server (kube-dns's stand-in, or istiocoredns with another answerer): dns2's UDP
// and TCP servers on 127.0.0.1, port 0, answering from a NameTable that can be swapped while
// serving, and relaying stub-domain questions to their server. Malformed messages are counted
// and dropped; nothing a client sends can take the server down.

import type { RemoteInfo } from 'node:dgram'
import { type AddressInfo, Socket } from 'node:net'
import { Packet, TCPServer, UDPServer } from 'dns2'
import type { NameTable } from '../xds/index.ts'
import {
  type Answerer,
  answerQuestion,
  type DnsQuery,
  type DnsReply,
  decide,
  type Rcode,
  type StubDomain,
} from './answer.ts'
import { DnsListenError } from './errors.ts'
import { forwardQuery } from './forward.ts'

export interface DnsServerOptions {
  readonly table: NameTable
  /** How questions are answered from the table (default: the cluster zone's kubernetes plugin). */
  readonly answer?: Answerer
  /** Zones asked of another server, e.g. `global` of istiocoredns. */
  readonly stubDomains?: readonly StubDomain[]
  /** How long a stub domain's server may take to answer before SERVFAIL (default 2 s). */
  readonly forwardTimeoutMs?: number
  /** The address both sockets bind; loopback only, since the whole mesh lives in one process. */
  readonly host?: '127.0.0.1'
}

export interface BoundAddress {
  readonly address: string
  readonly port: number
}

/**
 * The counters {@link DnsServer.stats} reports. `queries` counts well-formed queries answered
 * (split by transport in `udp`/`tcp` and by rcode in `noerror`...`notimp`); `malformed` counts
 * messages dropped unanswered (undecodable, a response, or not exactly one question); `errors`
 * counts socket errors and failed sends.
 */
export const DNS_STATS = [
  'queries',
  'udp',
  'tcp',
  'noerror',
  'nxdomain',
  'refused',
  'notimp',
  'servfail',
  'forwarded',
  'malformed',
  'errors',
] as const

export type DnsStat = (typeof DNS_STATS)[number]

export interface DnsServer {
  /** The real addresses, read back from the bound sockets. */
  readonly udp: BoundAddress
  readonly tcp: BoundAddress
  /** Swaps the table; every query decoded after this call sees the new one. */
  setTable(table: NameTable): void
  stats(): Readonly<Record<DnsStat, number>>
  /** Stops both transports and drops open TCP connections. Safe to call more than once. */
  close(): Promise<void>
}

/** The UDP payload size advertised back to EDNS clients (the DNS Flag Day 2020 default). */
const EDNS_PAYLOAD_SIZE = 1232

const RCODE_STAT: Record<Rcode, DnsStat> = {
  NOERROR: 'noerror',
  NXDOMAIN: 'nxdomain',
  NOTIMP: 'notimp',
  REFUSED: 'refused',
  SERVFAIL: 'servfail',
}

/** Rcodes of forwarded answers by their wire value, for the counters. */
const WIRE_RCODE: Readonly<Record<number, Rcode>> = {
  0: 'NOERROR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
}

type Send = (response: Packet | Buffer) => unknown

/** What a client gets when its stub domain's server does not answer. */
const SERVFAIL: DnsReply = { kind: 'reply', rcode: 'SERVFAIL', authoritative: false, answers: [] }

/** Binds UDP and TCP on `host`, each on its own kernel-chosen port, and starts answering. */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const host = options.host ?? '127.0.0.1'
  let table = options.table
  const answer = options.answer ?? answerQuestion
  const stubs = options.stubDomains ?? []
  const counters = Object.fromEntries(DNS_STATS.map((s) => [s, 0])) as Record<DnsStat, number>
  const udp = new UDPServer({ type: 'udp4' })
  const tcp = new TCPServer()
  const connections = new Set<Socket>()

  const handle = (transport: 'udp' | 'tcp', request: Packet, send: Send, client: unknown) => {
    const drop = () => {
      if (client instanceof Socket) client.destroy()
    }
    const reply = (response: Packet | Buffer, rcode: Rcode | undefined) => {
      counters.queries++
      counters[transport]++
      if (rcode) counters[RCODE_STAT[rcode]]++
      // dns2's UDP send returns a promise, its TCP send returns nothing and may throw.
      Promise.resolve()
        .then(() => send(response))
        .catch(() => {
          counters.errors++
          drop()
        })
    }
    try {
      const decision = decide(toQuery(request), table, answer, stubs)
      if (decision.kind === 'drop') {
        counters.malformed++
        drop()
        return
      }
      if (decision.kind === 'forward') {
        counters.forwarded++
        forwardQuery(request.toBuffer(), decision.stub.server, options.forwardTimeoutMs).then(
          (answered) => {
            answered.writeUInt16BE(request.header.id, 0)
            reply(answered, WIRE_RCODE[(answered[3] ?? 0) & 0x0f])
          },
          () => reply(toResponse(request, SERVFAIL), 'SERVFAIL'),
        )
        return
      }
      reply(toResponse(request, decision), decision.rcode)
    } catch {
      counters.errors++
      drop()
    }
  }
  const onRequestError = (error: Error) => {
    // Socket errors reach dns2's 'requestError' too; only decode and framing errors are malformed.
    if (typeof (error as NodeJS.ErrnoException).syscall === 'string') counters.errors++
    else counters.malformed++
  }

  udp.on('request', (request: Packet, send: Send, client: RemoteInfo) =>
    handle('udp', request, send, client),
  )
  udp.on('requestError', onRequestError)
  udp.on('error', () => counters.errors++)
  tcp.on('request', (request: Packet, send: Send, client: Socket) =>
    handle('tcp', request, send, client),
  )
  tcp.on('requestError', onRequestError)
  tcp.on('error', () => counters.errors++)
  tcp.on('connection', (socket: Socket) => {
    connections.add(socket)
    socket.on('close', () => connections.delete(socket))
    // dns2 already reports socket errors as 'requestError'; this only keeps one from throwing.
    socket.on('error', () => {})
  })

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= Promise.all([closeUdp(udp), closeTcp(tcp, connections)]).then(() => undefined)
    return closing
  }

  try {
    await bindUdp(udp, host)
    await listenTcp(tcp, host)
  } catch (error) {
    await close()
    const reason = error instanceof Error ? error.message : String(error)
    throw new DnsListenError(`the DNS server could not bind ${host}: ${reason}`, { cause: error })
  }

  return {
    udp: bound(udp.address()),
    tcp: bound(tcp.address()),
    setTable(next) {
      table = next
    },
    stats: () => Object.freeze({ ...counters }),
    close,
  }
}

function toQuery(request: Packet): DnsQuery {
  return {
    qr: request.header.qr,
    opcode: request.header.opcode,
    questions: request.questions.map((q) => ({ name: q.name, type: q.type, class: q.class })),
    decodeErrors: request.errors.length,
  }
}

function toResponse(request: Packet, reply: DnsReply): Packet {
  const response = Packet.createResponseFromRequest(request)
  response.header.aa = reply.authoritative ? 1 : 0
  response.header.rcode = Packet.RCODE[reply.rcode]
  response.answers = reply.answers.map(
    (a) =>
      new Packet.Resource({
        name: a.name,
        type: Packet.TYPE.A,
        class: Packet.CLASS.IN,
        ttl: a.ttl,
        address: a.address,
      }),
  )
  // RFC 6891 §7: a server that understands EDNS answers an OPT with an OPT.
  if (request.additionals.some((r) => r.type === Packet.TYPE.EDNS)) {
    response.additionals.push(Packet.Resource.EDNS([], { udpPayloadSize: EDNS_PAYLOAD_SIZE }))
  }
  return response
}

// Not dns2's DNSServer.listen(): with port 0 it passes `{ port, address }` to net.Server.listen,
// which reads `host`, so TCP would bind every interface. Its listening promise never rejects either.
function bindUdp(socket: UDPServer, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({ port: 0, address: host, exclusive: true }, () => {
      socket.off('error', reject)
      resolve()
    })
  })
}

function listenTcp(server: TCPServer, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: 0, host, exclusive: true }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function closeUdp(socket: UDPServer): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve())
    } catch {
      resolve() // never bound, or already closed
    }
  })
}

function closeTcp(server: TCPServer, connections: ReadonlySet<Socket>): Promise<void> {
  return new Promise((resolve) => {
    // The callback gets ERR_SERVER_NOT_RUNNING when the server never listened: closed either way.
    server.close(() => resolve())
    for (const socket of connections) socket.destroy()
  })
}

function bound(address: AddressInfo | string | null): BoundAddress {
  if (address === null || typeof address === 'string') {
    throw new DnsListenError(`the DNS server reported no IP address (got ${String(address)})`)
  }
  return Object.freeze({ address: address.address, port: address.port })
}
