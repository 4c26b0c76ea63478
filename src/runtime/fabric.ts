// The simulated networks: virtual addresses (pod IPs, gateway addresses) mapped to real sockets
// on 127.0.0.1. The fabric decides reachability the way a real network would: pod IPs only from
// the same network, gateway addresses from everywhere; anything else times out like a dropped SYN.

import { connect, type Server, type Socket } from 'node:net'
import type { NetworkId } from '../model/index.ts'
import { DialError, type Dialed, type Peer, type PodNetwork } from '../proxy/index.ts'

interface Binding {
  readonly realPort: number
  /** The network that can reach it, or every network for public addresses. */
  readonly network: NetworkId | 'public'
}

export interface FabricStats {
  dials: number
  unroutable: number
  refused: number
}

export class Fabric {
  readonly #bindings = new Map<string, Binding>()
  /** Known virtual IPs and their network, so an unbound port on a reachable pod is refused. */
  readonly #hosts = new Map<string, NetworkId | 'public'>()
  /** Real ephemeral port of an outgoing connection -> its virtual source address. */
  readonly #sources = new Map<number, Peer>()
  readonly #pending = new Set<NodeJS.Timeout>()
  readonly stats: FabricStats = { dials: 0, unroutable: 0, refused: 0 }

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

  peerOf(socket: Socket): Peer {
    const known = socket.remotePort === undefined ? undefined : this.#sources.get(socket.remotePort)
    return known ?? { ip: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 }
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
    for (const n of names) {
      this.#bindings.set(`${n.ip}:${n.port}`, { realPort: address.port, network: n.network })
      this.#hosts.set(n.ip, n.network)
    }
    server.once('close', () => {
      for (const n of names) {
        if (this.#bindings.get(`${n.ip}:${n.port}`)?.realPort === address.port)
          this.#bindings.delete(`${n.ip}:${n.port}`)
      }
    })
  }

  dial(
    fromIp: string,
    from: NetworkId,
    address: string,
    port: number,
    timeoutMs: number,
  ): Promise<Dialed> {
    this.stats.dials++
    const binding = this.#bindings.get(`${address}:${port}`)
    const host = this.#hosts.get(address)
    const routable = (n: NetworkId | 'public' | undefined) => n === 'public' || n === from
    if (binding === undefined || !routable(binding.network)) {
      if (routable(host)) {
        this.stats.refused++
        return Promise.reject(
          new DialError('ECONNREFUSED', `connect ECONNREFUSED ${address}:${port}`),
        )
      }
      // Another network's pod IP (or nothing at all): packets go nowhere until the timeout.
      this.stats.unroutable++
      return new Promise((_, reject) => {
        const timer = setTimeout(() => {
          this.#pending.delete(timer)
          reject(new DialError('ETIMEDOUT', `connect ETIMEDOUT ${address}:${port}`))
        }, timeoutMs)
        this.#pending.add(timer)
      })
    }
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: binding.realPort, noDelay: true })
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
        const local = { ip: fromIp, port: localPort }
        this.#sources.set(localPort, local)
        socket.once('close', () => {
          if (this.#sources.get(localPort) === local) this.#sources.delete(localPort)
        })
        resolve({ socket, local })
      })
    })
  }

  /** Cancels dials still waiting out a timeout (at shutdown). */
  close(): void {
    for (const t of this.#pending) clearTimeout(t)
    this.#pending.clear()
  }
}
