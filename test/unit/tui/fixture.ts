// Access records as two-networks.yaml's proxies write them: sleep in cluster1 calling
// helloworld v1 (same network, direct) and v2 (cluster2, through its east-west gateway).

import type { MeshView } from '../../../src/cli/tui/topology.ts'
import { clusterId } from '../../../src/model/index.ts'
import type { AccessRecord } from '../../../src/runtime/index.ts'

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
