// Access records as two-networks.yaml's proxies write them: sleep in cluster1 calling
// helloworld v1 (same network, direct) and v2 (cluster2, through its east-west gateway); its
// pods, services, and sleep's proxy dump (endpoints and secrets) as the TUI reads them.

import type { PodRow, ServiceRow } from '../../../src/cli/tui/pods.ts'
import type { MeshView } from '../../../src/cli/tui/topology.ts'
import { clusterId, namespace, networkId, serviceAccount } from '../../../src/model/index.ts'
import type { AccessRecord, CertificateSummary, ProxyDump } from '../../../src/runtime/index.ts'

const workload = (pod: string, cluster: string, app: string, version: string) => ({
  pod,
  namespace: 'sample',
  workload: version ? `${app}-${version}` : app,
  cluster,
  app,
  version,
  canonicalService: app,
  canonicalRevision: version || 'latest',
})

export const SLEEP = workload('sleep-1', 'cluster1', 'sleep', '')
export const V1 = workload('helloworld-v1-1', 'cluster1', 'helloworld', 'v1')
export const V2 = workload('helloworld-v2-1', 'cluster2', 'helloworld', 'v2')
export const GATEWAY2 = '192.168.1.247:15443'

let n = 0

/** The client sidecar's record of one request, and the server sidecar's. */
export function request(
  to: 'v1' | 'v2',
  opts: { code?: number; ms?: number; flags?: string[]; port?: number } = {},
): [AccessRecord, AccessRecord] {
  const id = `req-${++n}`
  const peer = to === 'v1' ? V1 : V2
  const code = opts.code ?? 200
  const local = `10.10.0.5:${opts.port ?? 40000 + n}`
  const base = {
    namespace: 'sample',
    startTime: new Date('2026-12-04T10:00:00.000Z'),
    method: 'GET',
    path: '/hello',
    protocol: 'HTTP/1.1',
    responseCode: code,
    responseFlags: opts.flags ?? [],
    bytesReceived: 0,
    bytesSent: 60,
    durationMs: opts.ms ?? 5,
    requestId: id,
    authority: 'helloworld.sample:5000',
  }
  const outbound: AccessRecord = {
    ...base,
    proxy: SLEEP.pod,
    cluster: clusterId('cluster1'),
    direction: 'outbound',
    upstreamHost: to === 'v1' ? '10.10.0.4:5000' : GATEWAY2,
    upstreamCluster: 'outbound|5000||helloworld.sample.svc.cluster.local',
    upstreamLocalAddress: local,
    downstreamLocalAddress: '10.100.0.4:5000',
    downstreamRemoteAddress: '10.10.0.5:56320',
    routeName: 'default',
    ...(code === 200 ? { peerIdentity: 'spiffe://cluster.local/ns/sample/sa/default' } : {}),
    workload: SLEEP,
    ...(code === 200 ? { peerWorkload: peer } : {}),
  }
  const inbound: AccessRecord = {
    ...base,
    proxy: peer.pod,
    cluster: clusterId(peer.cluster),
    direction: 'inbound',
    upstreamHost: to === 'v1' ? '10.10.0.4:5000' : '10.20.0.4:5000',
    upstreamCluster: 'inbound|5000||',
    downstreamLocalAddress: to === 'v1' ? '10.10.0.4:5000' : '10.20.0.4:5000',
    downstreamRemoteAddress: to === 'v1' ? local : '10.20.0.3:57772',
    requestedServerName: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
    routeName: 'default',
    peerIdentity: 'spiffe://cluster.local/ns/sample/sa/sleep',
    workload: peer,
    peerWorkload: SLEEP,
  }
  return [outbound, inbound]
}

/** The east-west gateway's record of the connection a client opened from `local`. */
export function gatewayRecord(local: string): AccessRecord {
  return {
    proxy: 'istio-eastwestgateway-1',
    namespace: 'istio-system',
    cluster: clusterId('cluster2'),
    direction: 'gateway',
    startTime: new Date('2026-12-04T10:00:00.000Z'),
    responseCode: 0,
    responseFlags: [],
    requestedServerName: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
    upstreamCluster: 'outbound_.5000_._.helloworld.sample.svc.cluster.local',
    upstreamHost: '10.20.0.4:5000',
    upstreamLocalAddress: '10.20.0.3:39134',
    bytesReceived: 4060,
    bytesSent: 5686,
    durationMs: 61,
    downstreamLocalAddress: '10.20.0.3:15443',
    downstreamRemoteAddress: local,
  }
}

export const TWO_NETWORKS: MeshView = {
  name: 'two-networks',
  networks: [
    {
      name: 'network1',
      clusters: [
        {
          name: 'cluster1',
          controlPlane: 'primary',
          configVersion: 2,
          proxies: { SYNCED: 3 },
          gateway: '192.168.1.246:15443',
          services: [
            { app: 'helloworld', versions: [{ version: 'v1', pods: 1 }] },
            { app: 'sleep', versions: [{ version: '', pods: 1 }] },
          ],
        },
      ],
    },
    {
      name: 'network2',
      clusters: [
        {
          name: 'cluster2',
          controlPlane: 'primary',
          configVersion: 2,
          proxies: { SYNCED: 2, STALE: 1 },
          gateway: GATEWAY2,
          services: [
            { app: 'helloworld', versions: [{ version: 'v2', pods: 1 }] },
            { app: 'sleep', versions: [{ version: '', pods: 1 }] },
          ],
        },
      ],
    },
  ],
}

const pod = (
  cluster: string,
  ns: string,
  name: string,
  app: string,
  ip: string,
  more: Partial<PodRow> = {},
): PodRow => ({
  cluster,
  network: cluster === 'cluster1' ? 'network1' : 'network2',
  namespace: ns,
  name,
  app,
  version: '',
  ip,
  proxy: 'sidecar',
  ready: '2/2',
  sync: 'SYNCED',
  ...more,
})

export const PODS: readonly PodRow[] = [
  pod(
    'cluster1',
    'istio-system',
    'istio-eastwestgateway-hjrzqfzb69-5gdwf',
    'istio-eastwestgateway',
    '10.10.0.3',
    { proxy: 'gateway', ready: '1/1' },
  ),
  pod('cluster1', 'istio-system', 'istiod-2bmkdmdcdh-q59r8', 'istiod', '10.10.0.2', {
    proxy: 'none',
    ready: '1/1',
    sync: '-',
  }),
  pod('cluster1', 'sample', 'helloworld-v1-ljcx7bn8gx-x4jzs', 'helloworld', '10.10.0.4', {
    version: 'v1',
  }),
  pod('cluster1', 'sample', 'sleep-2464lxs77l-kw9vv', 'sleep', '10.10.0.5'),
  pod('cluster2', 'sample', 'helloworld-v2-6xqfsqw72r-kpqfx', 'helloworld', '10.20.0.4', {
    version: 'v2',
    sync: 'STALE',
  }),
  pod('cluster2', 'sample', 'sleep-shqxn7bg8v-9h2lq', 'sleep', '10.20.0.5'),
]

export const SERVICES: readonly ServiceRow[] = [
  {
    cluster: 'cluster1',
    namespace: 'sample',
    name: 'helloworld',
    host: 'helloworld.sample.svc.cluster.local',
    ports: '5000/HTTP',
    local: 1,
    remote: 2,
  },
  {
    cluster: 'cluster2',
    namespace: 'sample',
    name: 'sleep',
    host: 'sleep.sample.svc.cluster.local',
    ports: '80/HTTP',
    local: 1,
    remote: 1,
  },
]

const HELLO = 'outbound|5000||helloworld.sample.svc.cluster.local'

const endpoint = (
  address: string,
  port: number,
  net: string,
  kind: 'pod' | 'gateway',
  more: { pod?: string; weight?: number } = {},
) => ({
  address,
  port,
  weight: more.weight ?? 1,
  network: networkId(net),
  cluster: clusterId(net === 'network1' ? 'cluster1' : 'cluster2'),
  tlsMode: 'istio' as const,
  kind,
  ...(more.pod ? { pod: more.pod } : {}),
  labels: {},
  locality: '',
})

const cert = (
  subject: string,
  serial: string,
  notAfter: string,
  uris: string[] = [],
): CertificateSummary => ({
  subject,
  issuer: '',
  serialNumber: serial,
  notBefore: '2026-12-04T10:00:00Z',
  notAfter,
  uris,
})

export const ROOT = cert('O=Istio, CN=Root CA', 'aa01', '2036-12-01T10:00:00Z')
export const INTERMEDIATE1 = cert(
  'O=Istio, CN=Intermediate CA, L=cluster1',
  'bb01',
  '2036-12-01T10:00:00Z',
)

/**
 * sleep's proxy in cluster1: helloworld as its v1 pod IP and cluster2's gateway standing in for
 * two v2 pods (weight 2), the gateway's outlier check failed; its certificate chain and root.
 */
export function sleepDump(opts: { notAfter?: string; ejected?: string[] } = {}): ProxyDump {
  return {
    node: {
      id: 'sidecar~10.10.0.5~sleep-2464lxs77l-kw9vv.sample~sample.svc.cluster.local',
      type: 'sidecar',
      cluster: clusterId('cluster1'),
      network: networkId('network1'),
      namespace: namespace('sample'),
      pod: 'sleep-2464lxs77l-kw9vv',
      ip: '10.10.0.5',
      serviceAccount: serviceAccount('sleep'),
      labels: { app: 'sleep' },
    },
    config: {
      version: 3,
      listeners: [],
      routes: [],
      clusters: [],
      endpoints: [
        {
          clusterName: 'outbound|15010||istiod.istio-system.svc.cluster.local',
          endpoints: [
            endpoint('10.10.0.2', 15010, 'network1', 'pod', { pod: 'istiod-2bmkdmdcdh-q59r8' }),
          ],
        },
        {
          clusterName: HELLO,
          endpoints: [
            endpoint('192.168.1.247', 15443, 'network2', 'gateway', { weight: 2 }),
            endpoint('10.10.0.4', 5000, 'network1', 'pod', {
              pod: 'helloworld-v1-ljcx7bn8gx-x4jzs',
            }),
          ],
        },
      ],
    },
    secrets: [
      {
        name: 'default',
        type: 'Cert Chain',
        status: 'ACTIVE',
        validCert: true,
        certificates: [
          cert('', 'cc01', opts.notAfter ?? '2026-12-05T10:00:00Z', [
            'spiffe://cluster.local/ns/sample/sa/sleep',
          ]),
          INTERMEDIATE1,
        ],
      },
      { name: 'ROOTCA', type: 'CA', status: 'ACTIVE', validCert: true, certificates: [ROOT] },
    ],
    ejected: opts.ejected ?? [],
  }
}
