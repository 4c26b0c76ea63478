// The east-west gateway (istio-eastwestgateway, port 15443, AUTO_PASSTHROUGH): peeks at each
// connection's ClientHello, matches SNI and ALPN to a filter chain, picks one endpoint of that
// chain's cluster (or, on legacy chains, of the cluster the SNI names) and pipes the raw bytes
// both ways. TLS is never terminated here.

import { createServer, type Server, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import {
  type AccessRecord,
  type AccessSink,
  createLoadBalancer,
  type Dialed,
  type LoadBalancer,
  type Peer,
  type PodNetwork,
  type Random,
  seededRandom,
} from '../proxy/index.ts'
import type {
  Cluster,
  GatewayListener,
  ProxyConfig,
  ProxyNode,
  SniFilterChain,
} from '../xds/index.ts'
import { type HelloFailure, type HelloPeek, peekClientHello } from './client-hello.ts'
import { type FilterChainTable, indexFilterChains, matchFilterChain } from './filter-chain.ts'
import { type SniClusterName, sniClusterOf } from './sni-cluster.ts'
import { createGatewayStats, type GatewayStat } from './stats.ts'

export const GATEWAY_PORT = 15443
export const DEFAULT_HELLO_TIMEOUT_MS = 5000
export const DEFAULT_MAX_HELLO_BYTES = 16 * 1024

export interface EastWestGatewayOptions {
  readonly node: ProxyNode
  readonly network: PodNetwork
  /** Addresses other networks reach the gateway at (its Service's load-balancer addresses). */
  readonly publicAddresses: readonly string[]
  /** Virtual port (default 15443); the config's gateway listener on this port is used. */
  readonly port?: number
  readonly onAccess: AccessSink
  /** Drives the load balancers (default `seededRandom(0)`). */
  readonly random?: Random
  /** How long a client may take to send its ClientHello (default 5000 ms). */
  readonly helloTimeoutMs?: number
  /** Bytes a client may send before its ClientHello is complete (default 16 KiB). */
  readonly maxHelloBytes?: number
}

export interface EastWestGateway {
  /**
   * Takes a full push; new connections use it, open ones finish on the config they began with.
   * Listeners the push adds are bound, and ones it drops are closed with their connections,
   * before the returned promise resolves.
   */
  apply(config: ProxyConfig): Promise<void>
  /** Listens on the pod IP and the public addresses at `port` (once; later calls share it). */
  start(): Promise<void>
  /** Stops accepting, destroys open connections, resolves once they are closed. */
  close(): Promise<void>
  stats(): Readonly<Record<string, number>>
  /** Version of the applied config, if any. */
  readonly version: number | undefined
}

interface Upstream {
  readonly cluster: Cluster
  readonly lb: LoadBalancer
}

/** One applied config, compiled for matching; connections keep the one they were accepted on. */
interface Snapshot {
  /** Filter chains by listener port. */
  readonly chains: ReadonlyMap<number, FilterChainTable>
  readonly upstreams: ReadonlyMap<string, Upstream>
  /** Chains whose cluster comes from the SNI (legacy AUTO_PASSTHROUGH). */
  readonly sniClusters: ReadonlyMap<SniFilterChain, SniClusterName>
}

/** One bound listener and the connections it accepted. */
interface Bound {
  readonly server: Server
  readonly open: Set<Socket>
  readonly listening: Promise<void>
}

const HELLO_FAILURE_STAT: Readonly<Record<HelloFailure, GatewayStat>> = {
  not_tls: 'client_hello_error',
  malformed: 'client_hello_error',
  timeout: 'client_hello_timeout',
  too_large: 'client_hello_too_large',
  closed: 'client_hello_closed',
}

/** The upstream-side fields of a connection's access record, filled in as it is routed. */
interface PartialRecord {
  responseFlags: readonly string[]
  responseCodeDetails?: string
  requestedServerName?: string
  upstreamCluster?: string
  upstreamHost?: string
  upstreamLocalAddress?: string
}

interface Connection {
  /** The listener port the connection arrived on. */
  readonly port: number
  readonly downstream: Socket
  readonly startTime: Date
  readonly started: number
  received: number
  sent: number
  peer?: Peer
  /** Ends the load balancer's count of this connection on its host. */
  release?: () => void
  /** Set once the connection got as far as filter chain matching, so it is logged. */
  record?: PartialRecord
}

export function createEastWestGateway(opts: EastWestGatewayOptions): EastWestGateway {
  const { node, network, onAccess } = opts
  const port = opts.port ?? GATEWAY_PORT
  const random = opts.random ?? seededRandom(0)
  const peek = {
    timeoutMs: opts.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS,
    maxBytes: opts.maxHelloBytes ?? DEFAULT_MAX_HELLO_BYTES,
  }
  const stats = createGatewayStats()
  const open = new Set<Socket>()
  const bound = new Map<number, Bound>()
  let snapshot: Snapshot = { chains: new Map(), upstreams: new Map(), sniClusters: new Map() }
  let version: number | undefined
  let closing = false

  function compile(config: ProxyConfig): Snapshot {
    const chains = new Map<number, FilterChainTable>()
    const sniClusters = new Map<SniFilterChain, SniClusterName>()
    for (const l of config.listeners) {
      if (l.kind !== 'gateway') continue
      chains.set(l.port, indexFilterChains(l as GatewayListener))
      for (const c of l.filterChains)
        if (c.sniCluster) sniClusters.set(c, sniClusterOf(c.sniCluster))
    }
    const endpoints = new Map(config.endpoints.map((cla) => [cla.clusterName, cla.endpoints]))
    const upstreams = new Map<string, Upstream>()
    for (const cluster of config.clusters) {
      const hosts = endpoints.get(cluster.name) ?? []
      upstreams.set(cluster.name, {
        cluster,
        lb: createLoadBalancer(cluster.lbPolicy, hosts, random),
      })
    }
    return { chains, upstreams, sniClusters }
  }

  function track(socket: Socket, on?: Set<Socket>): void {
    open.add(socket)
    on?.add(socket)
    socket.once('close', () => {
      open.delete(socket)
      on?.delete(socket)
    })
  }

  /** Binds a listener on the pod IP and the public addresses at `p` (once per port). */
  function bind(p: number): Promise<void> {
    const known = bound.get(p)
    if (known) return known.listening
    const srv = createServer({ allowHalfOpen: true, noDelay: true })
    const conns = new Set<Socket>()
    srv.on('error', () => stats.add('listener_error'))
    srv.on('connection', (socket) => {
      if (closing) socket.destroy()
      else serve(socket, snapshot, p, conns)
    })
    const listening = network.listen(srv, p, opts.publicAddresses).catch(() => {
      stats.add('listener_error')
      bound.delete(p)
    })
    bound.set(p, { server: srv, open: conns, listening })
    return listening
  }

  /** Closes a listener the config no longer has; Envoy drains it, meshsim ends its connections. */
  async function unbind(p: number): Promise<void> {
    const b = bound.get(p)
    if (b === undefined) return
    bound.delete(p)
    await b.listening
    const stopped = new Promise<void>((resolve) => b.server.close(() => resolve()))
    for (const s of b.open) s.destroy()
    await stopped
  }

  /** Tears `b` down when `a` closes abruptly; a clean close leaves `b` to flush and end. */
  function link(a: Socket, b: Socket): void {
    a.once('close', (hadError: boolean) => {
      if (hadError || !a.readableEnded || !a.writableFinished) b.destroy()
    })
  }

  /** Moves bytes one way with back-pressure, counting them; `from`'s FIN half-closes `to`. */
  function carry(from: Socket, to: Socket, count: (bytes: number) => void): void {
    from.on('data', (chunk: Buffer) => {
      count(chunk.length)
      if (!to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
    from.once('end', () => to.end())
    from.resume()
  }

  /** One downstream connection: peek, match, pick a host, dial, then pipe until both ends close. */
  function serve(downstream: Socket, snap: Snapshot, p: number, conns: Set<Socket>): void {
    const c: Connection = {
      port: p,
      downstream,
      startTime: new Date(),
      started: performance.now(),
      received: 0,
      sent: 0,
    }
    stats.add('downstream_cx_total')
    stats.add('downstream_cx_active')
    track(downstream, conns)
    downstream.on('error', () => downstream.destroy())
    downstream.once('close', () => {
      stats.add('downstream_cx_active', -1)
      stats.add('downstream_cx_destroy')
      c.release?.()
      if (c.record) onAccess(accessRecord(c, c.record))
    })
    peekClientHello(downstream, peek)
      .then((hello) => route(c, snap, hello))
      .catch(() => downstream.destroy())
  }

  async function route(c: Connection, snap: Snapshot, hello: HelloPeek): Promise<void> {
    const { downstream } = c
    c.received += hello.bytes.length
    stats.add('bytes_received', hello.bytes.length)
    if (!hello.ok) stats.add(HELLO_FAILURE_STAT[hello.reason])
    if (downstream.destroyed) return
    // Bytes have arrived, so the fabric knows the dialer (it learns it in the dialer's 'connect').
    c.peer = network.peerOf(downstream)
    // Plaintext and broken hellos still go on to match, without an SNI (Envoy's tls_inspector).
    if (!hello.ok && hello.reason !== 'not_tls' && hello.reason !== 'malformed') {
      downstream.destroy()
      return
    }
    const serverName = hello.ok ? hello.serverName : undefined
    const record: PartialRecord = { responseFlags: [] }
    if (serverName !== undefined) record.requestedServerName = serverName
    c.record = record
    const reject = (flags: readonly string[]) => {
      record.responseFlags = flags
      downstream.destroy()
    }

    const table = snap.chains.get(c.port)
    const chain = table && matchFilterChain(table, serverName, hello.ok ? hello.alpn : [])
    if (chain === undefined) {
      stats.add('no_filter_chain_match')
      record.responseCodeDetails = 'filter_chain_not_found'
      return reject(['NR'])
    }
    const sniCluster = snap.sniClusters.get(chain)
    const target = snap.upstreams.get(sniCluster ? sniCluster(serverName ?? '') : chain.cluster)
    if (target === undefined) {
      stats.add('downstream_cx_no_route')
      return reject(['NC'])
    }
    const { cluster, lb } = target
    record.upstreamCluster = cluster.name
    const host = lb.pick()
    if (host === undefined) {
      stats.add('upstream_cx_none_healthy')
      stats.addCluster(cluster.name, 'upstream_cx_none_healthy')
      return reject(['UH'])
    }
    record.upstreamHost = `${host.address}:${host.port}`
    stats.add('upstream_cx_total')
    stats.addCluster(cluster.name, 'upstream_cx_total')
    c.release = lb.begin(host)
    let dialed: Dialed
    try {
      dialed = await network.dial(host.address, host.port, cluster.connectTimeoutMs)
    } catch {
      stats.add('upstream_cx_connect_fail')
      stats.addCluster(cluster.name, 'upstream_cx_connect_fail')
      return reject(['UF', 'URX'])
    }
    record.upstreamLocalAddress = `${dialed.local.ip}:${dialed.local.port}`
    forward(c, dialed.socket, hello.bytes)
  }

  /** Replays the hello bytes, then pipes both ways with half-close; an abrupt close ends both. */
  function forward(c: Connection, upstream: Socket, hello: Buffer): void {
    const { downstream } = c
    upstream.on('error', () => upstream.destroy())
    if (downstream.destroyed) {
      upstream.destroy()
      return
    }
    track(upstream)
    // The fabric dials without half-open; a FIN from the upstream must not end our side.
    upstream.allowHalfOpen = true
    link(downstream, upstream)
    link(upstream, downstream)
    upstream.write(hello)
    carry(upstream, downstream, (n) => {
      c.sent += n
      stats.add('bytes_sent', n)
    })
    carry(downstream, upstream, (n) => {
      c.received += n
      stats.add('bytes_received', n)
    })
  }

  function accessRecord(c: Connection, r: PartialRecord): AccessRecord {
    return {
      proxy: node.pod,
      namespace: node.namespace,
      cluster: node.cluster,
      direction: 'gateway',
      startTime: c.startTime,
      responseCode: 0,
      ...r,
      bytesReceived: c.received,
      bytesSent: c.sent,
      durationMs: performance.now() - c.started,
      downstreamLocalAddress: `${node.ip}:${c.port}`,
      downstreamRemoteAddress: c.peer ? `${c.peer.ip}:${c.peer.port}` : '-',
    }
  }

  return {
    async apply(config) {
      snapshot = compile(config)
      version = config.version
      if (closing) return
      const wanted = new Set(snapshot.chains.keys())
      await Promise.all([
        ...[...wanted].map(bind),
        // The gateway's own port stays bound: Istio's Service keeps exposing it.
        ...[...bound.keys()].filter((p) => !wanted.has(p) && p !== port).map(unbind),
      ])
    },
    start() {
      return bind(port)
    },
    async close() {
      closing = true
      const servers = [...bound.values()]
      bound.clear()
      const stopped = servers.map(
        (b) => new Promise<void>((resolve) => b.server.close(() => resolve())),
      )
      const sockets = [...open].map(
        (s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', resolve))),
      )
      for (const s of open) s.destroy()
      await Promise.all([...stopped, ...sockets])
    },
    stats: () => stats.snapshot(),
    get version() {
      return version
    },
  }
}
