// The simulated networks: virtual addresses (pod IPs, gateway addresses) mapped to real sockets
// on 127.0.0.1. The fabric decides reachability the way a real network would: pod IPs only from
// the same network, gateway addresses from everywhere; anything else times out like a dropped SYN.
// Its tables live in shared memory (FabricMemory), so every proxy thread sees the same network.

import { connect, type Server, type Socket } from 'node:net'
import type { NetworkId } from '../model/index.ts'
import { intToIpv4, ipv4ToInt } from '../model/index.ts'
import { DialError, type Dialed, type Peer, type PodNetwork } from '../proxy/index.ts'
import { SharedTable } from './shared-table.ts'

/** What threads share of one fabric; plain data a Worker can be handed. */
export interface FabricMemory {
  /** Networks by code: code n is `networks[n - 1]`; code 0 is every network (public). */
  readonly networks: readonly NetworkId[]
  /** `ip, port + 1` -> real port | network code << 16; `ip, HOST` -> network code. */
  readonly table: SharedArrayBuffer
  /** Real ephemeral port of a fabric dial -> the dialer's virtual IP (0: not a fabric dial). */
  readonly sources: SharedArrayBuffer
  /** dials, unroutable, refused. */
  readonly stats: SharedArrayBuffer
}

export interface FabricStats {
  readonly dials: number
  readonly unroutable: number
  readonly refused: number
}

/** Key b of a host entry (ports use port + 1, at most 65536). */
const HOST = 0x10001
const PUBLIC = 0
const DIALS = 0
const UNROUTABLE = 1
const REFUSED = 2

export function createFabricMemory(
  networks: readonly NetworkId[],
  capacity = 16_384,
): FabricMemory {
  return {
    networks: [...networks],
    table: SharedTable.create(capacity).buffer,
    sources: new SharedArrayBuffer(65_536 * 4),
    stats: new SharedArrayBuffer(3 * 4),
  }
}

export class Fabric {
  readonly memory: FabricMemory
  readonly #table: SharedTable
  readonly #sources: Int32Array
  readonly #stats: Int32Array
  readonly #codes: Map<NetworkId, number>
  readonly #pending = new Set<NodeJS.Timeout>()

  /** This thread's view of a fabric; every view of the same memory sees the same network. */
  constructor(memory: FabricMemory) {
    this.memory = memory
    this.#table = new SharedTable(memory.table)
    this.#sources = new Int32Array(memory.sources)
    this.#stats = new Int32Array(memory.stats)
    this.#codes = new Map(memory.networks.map((n, i) => [n, i + 1]))
  }

  get stats(): FabricStats {
    return {
      dials: Atomics.load(this.#stats, DIALS),
      unroutable: Atomics.load(this.#stats, UNROUTABLE),
      refused: Atomics.load(this.#stats, REFUSED),
    }
  }

  /** The view of the network one pod (or gateway) has. */
  podNetwork(ip: string, network: NetworkId): PodNetwork {
    return {
      ip,
      dial: (address, port, timeoutMs) => this.dial(ip, network, address, port, timeoutMs),
      listen: (server, port, publicAddresses = []) =>
        this.listen(server, [
          { ip, port, network },
          ...publicAddresses.map((a) => ({ ip: a, port, network: 'public' as const })),
        ]),
      peerOf: (socket) => this.peerOf(socket),
    }
  }

  /** Makes `ip` a known host of `network`: dials to its unbound ports are refused, not dropped. */
  addHost(ip: string, network: NetworkId | 'public'): void {
    this.#table.set(ipv4ToInt(ip) | 0, HOST, this.#code(network))
  }

  /** Forgets `ip` (a pod that went away): dials to it are dropped again, as to no host at all. */
  removeHost(ip: string): void {
    const a = ipv4ToInt(ip) | 0
    const code = this.#table.get(a, HOST)
    if (code !== undefined) this.#table.deleteIf(a, HOST, code)
  }

  peerOf(socket: Socket): Peer {
    const port = socket.remotePort
    const ip = port === undefined ? 0 : Atomics.load(this.#sources, port)
    return ip !== 0 && port !== undefined
      ? { ip: intToIpv4(ip >>> 0), port }
      : { ip: socket.remoteAddress ?? '127.0.0.1', port: port ?? 0 }
  }

  async listen(
    server: Server,
    names: readonly { ip: string; port: number; network: NetworkId | 'public' }[],
  ): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('listener has no port')
    const entries = names.map((n) => {
      const code = this.#code(n.network)
      this.addHost(n.ip, n.network)
      return { a: ipv4ToInt(n.ip) | 0, b: n.port + 1, value: address.port | (code << 16) }
    })
    for (const e of entries) this.#table.set(e.a, e.b, e.value)
    server.once('close', () => {
      for (const e of entries) this.#table.deleteIf(e.a, e.b, e.value)
    })
  }

  dial(
    fromIp: string,
    from: NetworkId,
    address: string,
    port: number,
    timeoutMs: number,
  ): Promise<Dialed> {
    Atomics.add(this.#stats, DIALS, 1)
    const ip = ipv4ToInt(address) | 0
    const binding = this.#table.get(ip, port + 1)
    const fromCode = this.#code(from)
    const routable = (code: number | undefined) => code === PUBLIC || code === fromCode
    if (binding === undefined || !routable(binding >>> 16)) {
      if (routable(this.#table.get(ip, HOST))) {
        Atomics.add(this.#stats, REFUSED, 1)
        return Promise.reject(
          new DialError('ECONNREFUSED', `connect ECONNREFUSED ${address}:${port}`),
        )
      }
      // Another network's pod IP (or nothing at all): packets go nowhere until the timeout.
      Atomics.add(this.#stats, UNROUTABLE, 1)
      return new Promise((_, reject) => {
        const timer = setTimeout(() => {
          this.#pending.delete(timer)
          reject(new DialError('ETIMEDOUT', `connect ETIMEDOUT ${address}:${port}`))
        }, timeoutMs)
        this.#pending.add(timer)
      })
    }
    const source = ipv4ToInt(fromIp) | 0
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: binding & 0xffff, noDelay: true })
      const fail = (err: Error) => {
        socket.destroy()
        reject(
          new DialError('ECONNREFUSED', `connect ECONNREFUSED ${address}:${port}: ${err.message}`),
        )
      }
      socket.once('error', fail)
      socket.once('connect', () => {
        socket.off('error', fail)
        const localPort = socket.localPort ?? 0
        // Written before any byte is sent, so the acceptor's peerOf finds it in any thread.
        Atomics.store(this.#sources, localPort, source)
        socket.once('close', () => Atomics.compareExchange(this.#sources, localPort, source, 0))
        resolve({ socket, local: { ip: fromIp, port: localPort } })
      })
    })
  }

  /** Cancels this thread's dials still waiting out a timeout (at shutdown). */
  close(): void {
    for (const t of this.#pending) clearTimeout(t)
    this.#pending.clear()
  }

  #code(network: NetworkId | 'public'): number {
    if (network === 'public') return PUBLIC
    const code = this.#codes.get(network)
    if (code === undefined) throw new Error(`network ${network} is not part of this fabric`)
    return code
  }
}
