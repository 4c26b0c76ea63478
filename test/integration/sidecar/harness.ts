// A client sidecar (sleep) with a hand-written config, in front of plaintext helloworld v1 and v2
// pods on the fabric: real loopback sockets end to end, requests sent the way an app with
// http_proxy sends them. Everything a test opens is closed when the test finishes.

import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import { isIP } from 'node:net'
import { onTestFinished, vi } from 'vitest'
import { createMeshPki } from '../../../src/ca/index.ts'
import {
  clusterId,
  namespace,
  networkId,
  type SpiffeId,
  serviceAccount,
  serviceHost,
} from '../../../src/model/index.ts'
import { type AccessRecord, seededRandom } from '../../../src/proxy/index.ts'
import { createFabricMemory, Fabric } from '../../../src/runtime/fabric.ts'
import { Sidecar } from '../../../src/sidecar/index.ts'
import type {
  Cluster,
  ConfigSource,
  LbEndpoint,
  ProxyConfig,
  ProxyNode,
  Route,
} from '../../../src/xds/index.ts'
import { proxyNodeId } from '../../../src/xds/index.ts'

export const NETWORK = networkId('network1')
const HOST = serviceHost('helloworld.sample.svc.cluster.local')
export const VIP = '10.100.0.5'
export const V1 = `outbound|5000|v1|${HOST}`
export const V2 = `outbound|5000|v2|${HOST}`
/** A cluster whose only pod refuses connections. */
export const DOWN = `outbound|5000|down|${HOST}`
export const V1_IP = '10.10.0.11'
export const V2_IP = '10.10.0.12'
const DOWN_IP = '10.10.0.13'
const CLIENT_IP = '10.10.0.2'

const pki = createMeshPki(
  {
    root: { generate: true, keyAlgorithm: 'ECDSA' },
    workloadKeyAlgorithm: 'ECDSA',
    workloadCertTTL: 3_600_000,
  },
  [{ name: clusterId('cluster1') }],
)
const secret = pki.clusters
  .get(clusterId('cluster1'))
  ?.issueWorkload({ identity: 'spiffe://cluster.local/ns/sample/sa/sleep' as SpiffeId })

const NODE: ProxyNode = {
  id: proxyNodeId('sidecar', CLIENT_IP, 'sleep-6b8f5c7d9-x2x4q', 'sample'),
  type: 'sidecar',
  cluster: clusterId('cluster1'),
  network: NETWORK,
  namespace: namespace('sample'),
  pod: 'sleep-6b8f5c7d9-x2x4q',
  ip: CLIENT_IP,
  serviceAccount: serviceAccount('sleep'),
  labels: { app: 'sleep' },
}

const cluster = (name: string, subset: string): Cluster => ({
  name,
  type: 'EDS',
  host: HOST,
  port: 5000,
  subset,
  protocol: 'HTTP',
  lbPolicy: 'ROUND_ROBIN',
  connectTimeoutMs: 1000,
})

const endpoint = (address: string, version: string): LbEndpoint => ({
  address,
  port: 5000,
  weight: 1,
  network: NETWORK,
  cluster: clusterId('cluster1'),
  tlsMode: 'disabled',
  kind: 'pod',
  labels: { app: 'helloworld', version },
  locality: '',
})

/** The push for helloworld:5000 with the given routes; clusters v1, v2 and down exist. */
export function configWith(routes: readonly Route[]): ProxyConfig {
  return {
    version: 1,
    listeners: [
      { kind: 'outbound-http', name: '0.0.0.0_5000', port: 5000, routeConfigName: '5000' },
    ],
    routes: [
      {
        name: '5000',
        virtualHosts: [
          {
            name: `${HOST}:5000`,
            domains: ['helloworld', 'helloworld:5000', HOST, `${HOST}:5000`, VIP, `${VIP}:5000`],
            routes,
          },
        ],
      },
    ],
    clusters: [cluster(V1, 'v1'), cluster(V2, 'v2'), cluster(DOWN, 'down')],
    endpoints: [
      { clusterName: V1, endpoints: [endpoint(V1_IP, 'v1')] },
      { clusterName: V2, endpoints: [endpoint(V2_IP, 'v2')] },
      { clusterName: DOWN, endpoints: [endpoint(DOWN_IP, 'down')] },
    ],
  }
}

export interface Reply {
  readonly status: number
  readonly body: string
  readonly headers: IncomingHttpHeaders
}

export interface Harness {
  readonly sidecar: Sidecar
  readonly records: AccessRecord[]
  /** Sends one request through the sidecar; resolves once its access record is in. */
  send(url: string, headers?: Record<string, string | string[]>): Promise<Reply>
}

/** A helloworld pod on the fabric that answers with its version. */
async function startPod(fabric: Fabric, ip: string, version: string): Promise<void> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.end(`Hello version: ${version}`))
  })
  await fabric.podNetwork(ip, NETWORK).listen(server, 5000)
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
}

/** Starts the pods and a sleep sidecar that applies `routes` for helloworld:5000. */
export async function startHarness(routes: readonly Route[], seed = 42): Promise<Harness> {
  if (secret === undefined) throw new Error('no workload certificate')
  const fabric = new Fabric(createFabricMemory([NETWORK]))
  onTestFinished(() => fabric.close())
  await startPod(fabric, V1_IP, 'v1')
  await startPod(fabric, V2_IP, 'v2')
  // A known host with nothing listening: dials are refused at once.
  fabric.addHost(DOWN_IP, NETWORK)

  const records: AccessRecord[] = []
  const sidecar = new Sidecar({
    node: NODE,
    network: fabric.podNetwork(CLIENT_IP, NETWORK),
    secret,
    appPorts: new Map(),
    resolve: (host) => (host === 'helloworld' ? VIP : isIP(host) ? host : undefined),
    onAccess: (r) => records.push(r),
    random: seededRandom(seed),
    connectTimeoutMs: 1000,
  })
  const source: ConfigSource = {
    watch: (_node, onConfig) => {
      onConfig(configWith(routes))
      return { ack: () => undefined, close: () => undefined }
    },
  }
  onTestFinished(() => sidecar.close())
  await sidecar.start(source)
  const port = sidecar.capturePort
  if (port === undefined) throw new Error('no capture port')

  const send = async (url: string, headers: Record<string, string | string[]> = {}) => {
    const before = records.length
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: url, headers, agent: false }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            headers: res.headers,
          }),
        )
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
    // The record follows the last byte of the answer within the same exchange.
    await vi.waitFor(() => {
      if (records.length <= before) throw new Error('no access record yet')
    })
    return reply
  }
  return { sidecar, records, send }
}
