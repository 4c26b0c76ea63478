// Pooled keep-alive HTTP/1.1 connections per upstream endpoint (undici Pools). Mesh endpoints get
// Istio mTLS through the fabric; the local app and passthrough destinations get plaintext.

import type { Socket } from 'node:net'
import { connect as netConnect } from 'node:net'
import { Pool } from 'undici'
import type { Peer, PodNetwork } from '../proxy/index.ts'
import { ConnectFailure, connectMtls, DialError } from '../proxy/index.ts'
import type { Cluster, LbEndpoint, WorkloadSecret } from '../xds/index.ts'
import { ALPN_HTTP11 } from '../xds/index.ts'

export interface Upstream {
  readonly pool: Pool
  /** Virtual local address of the connection made most recently (for UPSTREAM_LOCAL_ADDRESS). */
  lastLocal?: Peer
  lastPeerIdentity?: string
}

type Connector = (cb: (err: Error | null, socket: Socket | null) => void, up: Upstream) => void

function pool(origin: string, connector: Connector): Upstream {
  const up: { pool?: Pool; lastLocal?: Peer; lastPeerIdentity?: string } = {}
  up.pool = new Pool(origin, {
    connect: (_opts, cb) => connector(cb as never, up as Upstream),
    keepAliveTimeout: 60_000,
    pipelining: 1,
  })
  return up as Upstream
}

export class Upstreams {
  readonly #pools = new Map<string, Upstream>()
  readonly #network: PodNetwork
  readonly #secret: () => WorkloadSecret

  constructor(network: PodNetwork, secret: () => WorkloadSecret) {
    this.#network = network
    this.#secret = secret
  }

  /** A pool to one mesh endpoint of a cluster (mTLS), or plaintext when the cluster has no TLS. */
  forEndpoint(
    cluster: Cluster | undefined,
    ep: Pick<LbEndpoint, 'address' | 'port'>,
    timeoutMs: number,
  ): Upstream {
    const key = `${cluster?.name ?? 'PassthroughCluster'}|${ep.address}:${ep.port}`
    let up = this.#pools.get(key)
    if (up) return up
    const tls = cluster?.tls
    up = pool(`http://${ep.address}:${ep.port}`, (cb, u) => {
      const done = tls
        ? connectMtls(this.#network, ep, tls, this.#secret(), ALPN_HTTP11, timeoutMs).then((c) => {
            u.lastLocal = c.local
            if (c.peerIdentity) u.lastPeerIdentity = c.peerIdentity
            return c.socket as Socket
          })
        : this.#network.dial(ep.address, ep.port, timeoutMs).then(
            (d) => {
              u.lastLocal = d.local
              return d.socket
            },
            (err: unknown) => {
              throw new ConnectFailure(
                err instanceof DialError ? err.resetReason : 'remote connection failure',
              )
            },
          )
      done.then(
        (s) => cb(null, s),
        (e: Error) => cb(e, null),
      )
    })
    this.#pools.set(key, up)
    return up
  }

  /** A plaintext pool to the app in this pod (Envoy's inbound cluster, from 127.0.0.6). */
  forApp(realPort: number): Upstream {
    const key = `inbound|${realPort}`
    let up = this.#pools.get(key)
    if (up) return up
    up = pool(`http://127.0.0.1:${realPort}`, (cb, u) => {
      const socket = netConnect({ host: '127.0.0.1', port: realPort, noDelay: true })
      const fail = () => {
        socket.destroy()
        cb(
          new ConnectFailure(
            'remote connection failure',
            'delayed_connect_error:_Connection_refused',
          ),
          null,
        )
      }
      socket.once('error', fail)
      socket.once('connect', () => {
        socket.off('error', fail)
        u.lastLocal = { ip: '127.0.0.6', port: socket.localPort ?? 0 }
        cb(null, socket)
      })
    })
    this.#pools.set(key, up)
    return up
  }

  /** Closes pools no longer named by `keep` (endpoints that left after a push). */
  async retain(keep: (key: string) => boolean): Promise<void> {
    const gone = [...this.#pools].filter(([k]) => !k.startsWith('inbound|') && !keep(k))
    for (const [k] of gone) this.#pools.delete(k)
    await Promise.all(gone.map(([, u]) => u.pool.close().catch(() => undefined)))
  }

  async close(): Promise<void> {
    const all = [...this.#pools.values()]
    this.#pools.clear()
    await Promise.all(all.map((u) => u.pool.destroy().catch(() => undefined)))
  }
}
