// istiod's port 15012 for proxies that reach it over the network (a remote cluster's proxies,
// through the primary's east-west gateway or straight at istiod's pod IP): mTLS with the
// proxy's workload certificate, then the ADS stand-in of xds/ads.ts. Like istiod, it serves only
// proxies of clusters it knows (its own, or ones it holds a remote secret for) whose certificate
// names the node's own namespace and service account.

import { createServer as createNetServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { ClusterId } from '../model/index.ts'
import type {
  ConfigSource,
  ConfigWatch,
  ControlPlaneFrame,
  ProxyNode,
  WorkloadSecret,
} from '../xds/index.ts'
import { encodeFrame, FrameDecoder } from '../xds/index.ts'

export interface DiscoveryServerOptions {
  readonly source: ConfigSource
  /** istiod's own certificate. */
  readonly secret: WorkloadSecret
  readonly trustDomain: string
  /** Whether istiod serves proxies of this cluster (its own, or one it has a remote secret for). */
  readonly accepts: (cluster: ClusterId) => boolean
  /** Binds the raw listener where proxies find istiod (the fabric's pod IP and port). */
  readonly listen: (server: Server) => Promise<void>
  readonly handshakeTimeoutMs?: number
}

export interface DiscoveryServer {
  /** Connected proxies by node id. */
  readonly connected: ReadonlySet<string>
  stats(): Readonly<Record<string, number>>
  close(): Promise<void>
}

const isString = (v: unknown): v is string => typeof v === 'string'

/** The node a subscribe frame carries, if it has the fields a push needs. */
function nodeOf(frame: unknown): ProxyNode | undefined {
  if (typeof frame !== 'object' || frame === null) return undefined
  const f = frame as { type?: unknown; node?: Record<string, unknown> }
  const n = f.node
  if (f.type !== 'subscribe' || typeof n !== 'object' || n === null) return undefined
  const fields = ['id', 'type', 'cluster', 'network', 'namespace', 'pod', 'ip', 'serviceAccount']
  if (!fields.every((k) => isString(n[k]))) return undefined
  if (n.type !== 'sidecar' && n.type !== 'router') return undefined
  if (typeof n.labels !== 'object' || n.labels === null) return undefined
  return n as unknown as ProxyNode
}

export async function startDiscoveryServer(opts: DiscoveryServerOptions): Promise<DiscoveryServer> {
  const counters = new Map<string, number>()
  const count = (k: string) => counters.set(k, (counters.get(k) ?? 0) + 1)
  const connected = new Set<string>()
  const open = new Set<Socket>()

  const tls = createTlsServer({
    cert: opts.secret.certChainPem,
    key: opts.secret.privateKeyPem,
    ca: opts.secret.rootCertPem,
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
    minVersion: 'TLSv1.2',
  })
  tls.on('tlsClientError', (_err, socket) => {
    count('ssl.connection_error')
    socket.destroy()
  })
  tls.on('secureConnection', (socket: TLSSocket) => serve(socket))

  function serve(socket: TLSSocket): void {
    count('xds_connections_total')
    socket.setEncoding('utf8')
    socket.on('error', () => socket.destroy())
    const decoder = new FrameDecoder()
    const san = socket.getPeerCertificate()?.subjectaltname ?? ''
    let watch: ConfigWatch | undefined
    let node: ProxyNode | undefined
    const send = (frame: ControlPlaneFrame) => {
      if (!socket.destroyed) socket.write(encodeFrame(frame))
    }
    const refuse = (stat: string, message: string) => {
      count(stat)
      send({ type: 'error', message })
      socket.end()
    }
    socket.on('data', (chunk: string) => {
      const frames = decoder.push(chunk)
      if (frames === 'bad') {
        count('xds_bad_frames')
        socket.destroy()
        return
      }
      for (const frame of frames) {
        if (watch === undefined) {
          node = nodeOf(frame)
          if (node === undefined) {
            count('xds_bad_frames')
            socket.destroy()
            return
          }
          const identity = `spiffe://${opts.trustDomain}/ns/${node.namespace}/sa/${node.serviceAccount}`
          if (!san.split(', ').includes(`URI:${identity}`)) {
            return refuse(
              'xds_auth_failed',
              `authentication failure: certificate does not name ${identity}`,
            )
          }
          if (!opts.accepts(node.cluster)) {
            return refuse(
              'xds_unknown_cluster',
              `no remote secret for cluster ${node.cluster}: this istiod does not serve its proxies`,
            )
          }
          const id = node.id
          connected.add(id)
          socket.once('close', () => connected.delete(id))
          watch = opts.source.watch(node, (config) => send({ type: 'config', config }))
          continue
        }
        const f = frame as { type?: unknown; version?: unknown }
        if (f.type === 'ack' && typeof f.version === 'number') watch.ack(f.version)
        else count('xds_bad_frames')
      }
    })
    socket.once('close', () => watch?.close())
  }

  const raw = createNetServer({ noDelay: true }, (socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    socket.on('error', () => socket.destroy())
    tls.emit('connection', socket)
  })
  raw.on('error', () => count('listener_error'))
  await opts.listen(raw)
  return {
    connected,
    stats: () => Object.fromEntries(counters),
    close: () =>
      new Promise<void>((resolve) => {
        raw.close(() => resolve())
        for (const s of open) s.destroy()
      }),
  }
}
