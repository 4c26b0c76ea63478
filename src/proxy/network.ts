// How a proxy reaches the simulated network: it dials and listens on virtual addresses, and the
// fabric (wired in by the runtime) maps them to loopback sockets and decides what is reachable.

import type { Server, Socket } from 'node:net'

/** A virtual address and port, as the emulated network shows it. */
export interface Peer {
  readonly ip: string
  readonly port: number
}

export interface Dialed {
  readonly socket: Socket
  /** The virtual local address of the new connection (the pod IP and an ephemeral port). */
  readonly local: Peer
}

/**
 * Raised by `dial` when a connection cannot be made, with Envoy's reset reason:
 * `connection timeout` (unroutable address) or `remote connection failure` (refused).
 */
export class DialError extends Error {
  readonly code: 'ETIMEDOUT' | 'ECONNREFUSED'
  readonly resetReason: string
  constructor(code: 'ETIMEDOUT' | 'ECONNREFUSED', message: string) {
    super(message)
    this.name = 'DialError'
    this.code = code
    this.resetReason = code === 'ETIMEDOUT' ? 'connection timeout' : 'remote connection failure'
  }
}

export interface PodNetwork {
  /** This pod's virtual IP. */
  readonly ip: string
  /** Connects to a virtual address the way this pod's network routes it. */
  dial(address: string, port: number, timeoutMs: number): Promise<Dialed>
  /**
   * Listens on 127.0.0.1:0 and maps this pod's `ip:port` (and the extra public addresses, for a
   * gateway) to it. Resolves once the server is listening.
   */
  listen(server: Server, port: number, publicAddresses?: readonly string[]): Promise<void>
  /** The virtual address of whoever opened an accepted socket. */
  peerOf(socket: Socket): Peer
}
