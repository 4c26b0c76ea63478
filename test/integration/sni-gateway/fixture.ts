// An east-west gateway in network2 with helloworld pods behind it, and clients in network1 that
// reach it at its public address: real sockets through the Fabric, real mesh certificates.
// Everything a test opens is closed when the test finishes.

import { X509Certificate } from 'node:crypto'
import type { Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { connect, createServer, type TLSSocket } from 'node:tls'
import { onTestFinished } from 'vitest'
import { checkSvidLeaf, createMeshPki, type WorkloadSecret } from '../../../src/ca/index.ts'
import {
  clusterId,
  namespace,
  networkId,
  type SpiffeId,
  serviceAccount,
  serviceHost,
  sniName,
} from '../../../src/model/index.ts'
import { type AccessRecord, type Dialed, seededRandom } from '../../../src/proxy/index.ts'
import { createFabricMemory, Fabric } from '../../../src/runtime/fabric.ts'
import {
  createEastWestGateway,
  type EastWestGateway,
  type EastWestGatewayOptions,
} from '../../../src/sni-gateway/index.ts'
import {
  ALPN_HTTP11,
  type Cluster,
  ISTIO_MTLS_ALPNS,
  type LbPolicy,
  type ProxyConfig,
  type ProxyNode,
  proxyNodeId,
} from '../../../src/xds/index.ts'

export const HOST = serviceHost('helloworld.sample.svc.cluster.local')
export const SNI = sniName({ direction: 'outbound', port: 5000, subset: '', host: HOST })
export const NETWORK1 = networkId('network1')
export const NETWORK2 = networkId('network2')
export const GATEWAY_IP = '10.20.0.5'
export const GATEWAY_PUBLIC = '192.168.1.247'
export const CLIENT_IP = '10.10.0.2'
export const SLEEP = 'spiffe://cluster.local/ns/sample/sa/sleep' as SpiffeId
export const HELLOWORLD = 'spiffe://cluster.local/ns/sample/sa/helloworld' as SpiffeId

const pki = createMeshPki(
  {
    root: { generate: true, keyAlgorithm: 'ECDSA' },
    workloadKeyAlgorithm: 'ECDSA',
    workloadCertTTL: 3_600_000,
  },
  [{ name: clusterId('cluster1') }, { name: clusterId('cluster2') }],
)
const issue = (cluster: string, identity: SpiffeId): WorkloadSecret => {
  const ca = pki.clusters.get(clusterId(cluster))
  if (ca === undefined) throw new Error(`no CA for ${cluster}`)
  return ca.issueWorkload({ identity })
}
export const sleepSecret = issue('cluster1', SLEEP)
const helloworldSecret = issue('cluster2', HELLOWORLD)

export const GATEWAY_NODE: ProxyNode = {
  id: proxyNodeId('router', GATEWAY_IP, 'istio-eastwestgateway-5b7f9c6d4-q8xkz', 'istio-system'),
  type: 'router',
  cluster: clusterId('cluster2'),
  network: NETWORK2,
  namespace: namespace('istio-system'),
  pod: 'istio-eastwestgateway-5b7f9c6d4-q8xkz',
  ip: GATEWAY_IP,
  serviceAccount: serviceAccount('istio-eastwestgateway-service-account'),
  labels: { istio: 'eastwestgateway', app: 'istio-eastwestgateway' },
  requestedNetworkView: [NETWORK2],
}

export interface HostPort {
  readonly ip: string
  readonly port: number
}

/** The push istiod makes to the gateway for helloworld:5000 with AUTO_PASSTHROUGH. */
export function gatewayConfig(
  version: number,
  hosts: readonly HostPort[],
  opts: { readonly lbPolicy?: LbPolicy; readonly withCluster?: boolean } = {},
): ProxyConfig {
  const cluster: Cluster = {
    name: SNI,
    type: 'EDS',
    host: HOST,
    port: 5000,
    subset: '',
    protocol: 'HTTP',
    lbPolicy: opts.lbPolicy ?? 'ROUND_ROBIN',
    connectTimeoutMs: 1000,
  }
  return {
    version,
    listeners: [
      {
        kind: 'gateway',
        // Envoy's listener name; the fabric binds 127.0.0.1 only.
        name: '0.0.0.0_15443',
        port: 15443,
        filterChains: [{ serverName: SNI, applicationProtocols: ISTIO_MTLS_ALPNS, cluster: SNI }],
      },
    ],
    routes: [],
    clusters: opts.withCluster === false ? [] : [cluster],
    endpoints: [
      {
        clusterName: SNI,
        endpoints: hosts.map((h) => ({
          address: h.ip,
          port: h.port,
          weight: 1,
          network: NETWORK2,
          cluster: clusterId('cluster2'),
          tlsMode: 'istio',
          kind: 'pod',
          labels: { app: 'helloworld' },
          locality: '',
        })),
      },
    ],
  }
}

/** A helloworld pod: a TLS server with its workload certificate, requiring the client's. */
export interface Backend extends HostPort {
  readonly name: string
  /** SPIFFE ids of the clients whose certificates it saw, one per connection. */
  readonly peers: string[]
}

export interface Client {
  readonly tls: TLSSocket
  /** The Fabric connection under TLS, to compare byte counts with the gateway's. */
  readonly dialed: Dialed
  /** The SPIFFE id in the certificate the client verified. */
  readonly serverId: string | undefined
  readonly alpn: string | false | null
  /** Writes a message and resolves with the next chunk the server sends. */
  send(message: string): Promise<string>
}

export interface ClientOptions {
  /** Default the helloworld SNI; an empty string sends no SNI. */
  readonly servername?: string
  readonly alpn?: readonly string[]
  /** Sends what TLS writes in pieces of this many bytes, one per event-loop turn. */
  readonly segmentBytes?: number
}

export interface Harness {
  readonly fabric: Fabric
  readonly gateway: EastWestGateway
  readonly records: AccessRecord[]
  startBackend(ip: string, name: string): Promise<Backend>
  /** A sleep sidecar in network1 opening mTLS to helloworld through the gateway. */
  connect(opts?: ClientOptions): Promise<Client>
  /** Like connect, for clients the gateway should drop: resolves with the client's error. */
  refused(opts?: ClientOptions): Promise<Error | undefined>
  /** A raw TCP connection from network1 to the gateway's public address. */
  dialGateway(): Promise<Dialed>
}

/** Starts a gateway and registers the teardown of everything the harness opens. */
export async function startHarness(
  options: Partial<Omit<EastWestGatewayOptions, 'node' | 'network' | 'onAccess'>> = {},
): Promise<Harness> {
  const fabric = new Fabric(createFabricMemory([NETWORK1, NETWORK2]))
  const records: AccessRecord[] = []
  const backends: (() => Promise<void>)[] = []
  // Clients only, and never the TCP socket under a TLSSocket: destroying both (Node 24) can
  // crash the process. Pods' sockets close when the gateway closes its end.
  const sockets = new Set<Socket>()
  const own = <T extends Socket>(s: T): T => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
    return s
  }
  const gateway = createEastWestGateway({
    node: GATEWAY_NODE,
    network: fabric.podNetwork(GATEWAY_IP, NETWORK2),
    publicAddresses: [GATEWAY_PUBLIC],
    random: seededRandom(7),
    onAccess: (r) => records.push(r),
    ...options,
  })
  onTestFinished(async () => {
    for (const s of sockets) s.destroy()
    await gateway.close()
    await Promise.all(backends.map((close) => close()))
    fabric.close()
  })
  await gateway.start()

  const clientNet = fabric.podNetwork(CLIENT_IP, NETWORK1)
  const dial = () => clientNet.dial(GATEWAY_PUBLIC, 15443, 1000)

  const openTls = async (opts: ClientOptions) => {
    const dialed = await dial()
    let serverId: string | undefined
    const tls = own(
      connect({
        socket: opts.segmentBytes ? segmented(dialed.socket, opts.segmentBytes) : dialed.socket,
        servername: opts.servername ?? SNI,
        ALPNProtocols: [...(opts.alpn ?? ALPN_HTTP11)],
        key: sleepSecret.privateKeyPem,
        cert: sleepSecret.certChainPem,
        ca: sleepSecret.rootCertPem,
        checkServerIdentity: (_host, cert) => {
          const svid = checkSvidLeaf(new X509Certificate(cert.raw), [HELLOWORLD])
          if (!svid.ok) return Object.assign(new Error(svid.reason), { code: svid.code })
          serverId = svid.spiffeId
          return undefined
        },
      }),
    )
    const outcome = await new Promise<Error | undefined>((resolve) => {
      tls.once('secureConnect', () => resolve(undefined))
      tls.on('error', resolve)
      tls.once('close', () => resolve(new Error('closed before the handshake finished')))
    })
    return { dialed, tls, outcome, serverId: () => serverId }
  }

  return {
    fabric,
    gateway,
    records,
    async dialGateway() {
      const dialed = await dial()
      own(dialed.socket).on('error', () => {})
      return dialed
    },
    async startBackend(ip, name) {
      const peers: string[] = []
      const server = createServer({
        key: helloworldSecret.privateKeyPem,
        cert: helloworldSecret.certChainPem,
        ca: helloworldSecret.rootCertPem,
        requestCert: true,
        rejectUnauthorized: true,
        // No allowHalfOpen: with it, a socket whose peer leaves mid-handshake never closes.
        ALPNProtocols: ['istio-http/1.1', 'istio'],
      })
      const open = new Set<Socket>()
      server.on('tlsClientError', () => {})
      server.on('secureConnection', (socket) => {
        const leaf = socket.getPeerX509Certificate()
        const svid = leaf ? checkSvidLeaf(leaf) : undefined
        peers.push(svid?.ok ? svid.spiffeId : '-')
        open.add(socket)
        socket.once('close', () => open.delete(socket))
        let all = ''
        socket.on('error', () => socket.destroy())
        socket.setEncoding('utf8')
        socket.on('data', (chunk: string) => {
          all += chunk
          socket.write(`${name}:${chunk}`)
        })
        socket.on('end', () => socket.end(`${name} got ${JSON.stringify(all)} before the end`))
      })
      await fabric.podNetwork(ip, NETWORK2).listen(server, 5000)
      backends.push(() => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
        for (const s of open) s.destroy()
        return stopped
      })
      return { ip, port: 5000, name, peers }
    },
    async connect(opts = {}) {
      const { dialed, tls, outcome, serverId } = await openTls(opts)
      if (outcome) throw outcome
      tls.setEncoding('utf8')
      const chunks: string[] = []
      const waiters: ((chunk: string) => void)[] = []
      tls.on('data', (chunk: string) => {
        const waiter = waiters.shift()
        if (waiter) waiter(chunk)
        else chunks.push(chunk)
      })
      return {
        tls,
        dialed,
        serverId: serverId(),
        alpn: tls.alpnProtocol,
        send(message) {
          tls.write(message)
          const queued = chunks.shift()
          return queued === undefined
            ? new Promise((resolve) => waiters.push(resolve))
            : Promise.resolve(queued)
        },
      }
    },
    async refused(opts = {}) {
      const { tls, outcome } = await openTls(opts)
      if (!tls.destroyed) await new Promise((resolve) => tls.once('close', resolve))
      return outcome
    },
  }
}

/** A stream over `socket` that writes in small pieces, so the gateway reads a hello in parts. */
function segmented(socket: Socket, size: number): Duplex {
  const stream = new Duplex({
    read: () => socket.resume(),
    async write(chunk: Buffer, _encoding, done) {
      for (let at = 0; at < chunk.length; at += size) {
        socket.write(chunk.subarray(at, at + size))
        await new Promise(setImmediate)
      }
      done()
    },
    final(done) {
      socket.end()
      done()
    },
    destroy(err, done) {
      socket.destroy()
      done(err)
    },
  })
  socket.on('data', (chunk) => {
    if (!stream.push(chunk)) socket.pause()
  })
  socket.on('end', () => stream.push(null))
  socket.on('error', (err) => stream.destroy(err))
  return stream
}

/** Resolves when `socket` has closed. */
export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) =>
    socket.closed ? resolve() : socket.once('close', () => resolve()),
  )
}
