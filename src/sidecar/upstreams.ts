// Pooled keep-alive HTTP/1.1 connections per upstream endpoint (undici Pools). Mesh endpoints get
// Istio mTLS through the fabric; the local app and passthrough destinations get plaintext.

import type { Socket } from 'node:net'
import { connect as netConnect } from 'node:net'
import { Pool } from 'undici'
import type { Peer, PodNetwork } from '../proxy/index.ts'
import { ConnectFailure, connectMtls, dialUpstream } from '../proxy/index.ts'
import type { Cluster, LbEndpoint, WorkloadSecret } from '../xds/index.ts'
import { ALPN_HTTP11 } from '../xds/index.ts'

/** One pooled upstream, plus what its connector learned about the latest connection. */
export class Upstream {
  readonly pool: Pool
  /** Virtual local address of the connection made most recently (for UPSTREAM_LOCAL_ADDRESS). */
  lastLocal?: Peer
  lastPeerIdentity?: string

  constructor(origin: string, connect: (up: Upstream) => Promise<Socket>) {
    this.pool = new Pool(origin, {
      connect: (_opts, cb) => {
        connect(this).then(
          (socket) => cb(null, socket),
          (err: Error) => cb(err, null),
        )
      },
      keepAliveTimeout: 60_000,
      pipelining: 1,
    })
  }
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
    up = new Upstream(`http://${ep.address}:${ep.port}`, async (u) => {
      if (!tls) {
        const d = await dialUpstream(this.#network, ep, timeoutMs)
        u.lastLocal = d.local
        return d.socket
      }
      const c = await connectMtls(this.#network, ep, tls, this.#secret(), ALPN_HTTP11, timeoutMs)
      u.lastLocal = c.local
      if (c.peerIdentity) u.lastPeerIdentity = c.peerIdentity
      return c.socket
    })
    this.#pools.set(key, up)
    return up
  }

  /** A plaintext pool to the app in this pod (Envoy's inbound cluster, from 127.0.0.6). */
  forApp(realPort: number): Upstream {
    const key = `inbound|${realPort}`
    let up = this.#pools.get(key)
    if (up) return up
    up = new Upstream(
      `http://127.0.0.1:${realPort}`,
      (u) =>
        new Promise((resolve, reject) => {
          const socket = netConnect({ host: '127.0.0.1', port: realPort, noDelay: true })
          socket.once('error', () => {
            socket.destroy()
            reject(
              new ConnectFailure(
                'remote connection failure',
                'delayed_connect_error:_Connection_refused',
              ),
            )
          })
          socket.once('connect', () => {
            socket.removeAllListeners('error')
            u.lastLocal = { ip: '127.0.0.6', port: socket.localPort ?? 0 }
            resolve(socket)
          })
        }),
    )
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
