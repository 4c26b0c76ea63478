// Pooled keep-alive HTTP/1.1 connections per upstream endpoint. Mesh endpoints get Istio mTLS
// through the fabric; the local app and passthrough destinations get plaintext.

import { connect as netConnect } from 'node:net'
import type { PodNetwork } from '../proxy/index.ts'
import { ConnectFailure, ConnectionPool, connectMtls, dialUpstream } from '../proxy/index.ts'
import type { Cluster, LbEndpoint, WorkloadSecret } from '../xds/index.ts'
import { ALPN_HTTP11 } from '../xds/index.ts'

export class Upstreams {
  /** Pools by `cluster|address:port`, with the TLS settings each was made with. */
  readonly #pools = new Map<string, { readonly pool: ConnectionPool; readonly settings: string }>()
  /** The pool last used for an endpoint object of a config, and the cluster it was made for. */
  readonly #byEndpoint = new WeakMap<
    object,
    { readonly cluster: Cluster; readonly pool: ConnectionPool }
  >()
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
  ): ConnectionPool {
    // Per request: endpoints and clusters are the same objects until the next push.
    const hit = this.#byEndpoint.get(ep)
    if (hit !== undefined && hit.cluster === cluster && !hit.pool.closed) return hit.pool
    const key = `${cluster?.name ?? 'PassthroughCluster'}|${ep.address}:${ep.port}`
    const tls = cluster?.tls
    // A push that changes SNI or the SAN list drains the pool, as Envoy does for a changed cluster.
    const settings = tls ? `${tls.sni}|${tls.subjectAltNames.join(',')}` : ''
    const known = this.#pools.get(key)
    if (known?.settings === settings) {
      if (cluster) this.#byEndpoint.set(ep, { cluster, pool: known.pool })
      return known.pool
    }
    known?.pool.close()
    const pool = new ConnectionPool(() =>
      tls
        ? connectMtls(this.#network, ep, tls, this.#secret(), ALPN_HTTP11, timeoutMs)
        : dialUpstream(this.#network, ep, timeoutMs),
    )
    this.#pools.set(key, { pool, settings })
    if (cluster) this.#byEndpoint.set(ep, { cluster, pool })
    return pool
  }

  /** A plaintext pool to the app in this pod (Envoy's inbound cluster, from 127.0.0.6). */
  forApp(realPort: number): ConnectionPool {
    const key = `inbound|${realPort}`
    const known = this.#pools.get(key)
    if (known) return known.pool
    const pool = new ConnectionPool(
      () =>
        new Promise((resolve, reject) => {
          const socket = netConnect({ host: '127.0.0.1', port: realPort, noDelay: true })
          socket.once('error', () => {
            socket.destroy()
            reject(
              new ConnectFailure(
                'remote connection failure',
                'delayed connect error: Connection refused',
              ),
            )
          })
          socket.once('connect', () => {
            socket.removeAllListeners('error')
            resolve({ socket, local: { ip: '127.0.0.6', port: socket.localPort ?? 0 } })
          })
        }),
    )
    this.#pools.set(key, { pool, settings: '' })
    return pool
  }

  /** Closes pools no longer named by `keep` (endpoints that left after a push). */
  retain(keep: (key: string) => boolean): void {
    for (const [k, { pool }] of this.#pools) {
      if (k.startsWith('inbound|') || keep(k)) continue
      this.#pools.delete(k)
      pool.close()
    }
  }

  close(): void {
    for (const { pool } of this.#pools.values()) pool.destroy()
    this.#pools.clear()
  }
}
