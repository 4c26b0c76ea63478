// Istio's labels for access records: who reports (source at the client sidecar, destination at
// the server sidecar), each side's workload from its own metadata or the peer's, the destination
// service from the cluster (or the Host header, or the SNI), and `unknown` for what is not known.

import { describe, expect, test } from 'vitest'
import { clusterId } from '../../../src/model/index.ts'
import type { AccessRecord, WorkloadMetadata } from '../../../src/proxy/index.ts'
import { HTTP_LABELS, httpLabels, tcpLabels } from '../../../src/telemetry/index.ts'

const SLEEP: WorkloadMetadata = {
  pod: 'sleep-6b8f5c7d9x-x2x4q',
  namespace: 'sample',
  workload: 'sleep',
  cluster: 'cluster1',
  app: 'sleep',
  version: '',
  canonicalService: 'sleep',
  canonicalRevision: 'latest',
  principal: 'spiffe://cluster.local/ns/sample/sa/sleep',
}
const { principal: _, ...SLEEP_PEER } = SLEEP

const HELLO_V2: WorkloadMetadata = {
  pod: 'helloworld-v2-6xqfsqw72r-kpqfx',
  namespace: 'sample',
  workload: 'helloworld-v2',
  cluster: 'cluster2',
  app: 'helloworld',
  version: 'v2',
  canonicalService: 'helloworld',
  canonicalRevision: 'v2',
  principal: 'spiffe://cluster.local/ns/sample/sa/default',
}
const { principal: __, ...HELLO_V2_PEER } = HELLO_V2

const HOST = 'helloworld.sample.svc.cluster.local'

const base = {
  startTime: new Date(0),
  responseFlags: [],
  bytesReceived: 0,
  bytesSent: 60,
  durationMs: 3.7,
  downstreamLocalAddress: '10.100.0.5:5000',
  downstreamRemoteAddress: '10.10.0.2:40000',
} as const

/** sleep@cluster1 → helloworld v2@cluster2 through cluster2's gateway, at the client. */
const outbound: AccessRecord = {
  ...base,
  proxy: SLEEP.pod,
  namespace: 'sample',
  cluster: clusterId('cluster1'),
  direction: 'outbound',
  method: 'GET',
  path: '/hello',
  protocol: 'HTTP/1.1',
  responseCode: 200,
  authority: 'helloworld.sample:5000',
  upstreamHost: '192.168.1.247:15443',
  upstreamCluster: `outbound|5000||${HOST}`,
  routeName: 'default',
  peerIdentity: HELLO_V2.principal,
  workload: SLEEP,
  peerWorkload: HELLO_V2_PEER,
}

/** The same request at the server. */
const inbound: AccessRecord = {
  ...base,
  proxy: HELLO_V2.pod,
  namespace: 'sample',
  cluster: clusterId('cluster2'),
  direction: 'inbound',
  method: 'GET',
  path: '/hello',
  protocol: 'HTTP/1.1',
  responseCode: 200,
  authority: 'helloworld.sample:5000',
  upstreamCluster: 'inbound|5000||',
  requestedServerName: `outbound_.5000_._.${HOST}`,
  routeName: 'default',
  peerIdentity: SLEEP.principal,
  workload: HELLO_V2,
  peerWorkload: SLEEP_PEER,
}

describe('HTTP requests', () => {
  test('the client sidecar reports as source: itself from its metadata, the server from the exchange', () => {
    const labels = httpLabels(outbound)
    expect(labels).toEqual({
      reporter: 'source',
      source_workload: 'sleep',
      source_canonical_service: 'sleep',
      source_canonical_revision: 'latest',
      source_workload_namespace: 'sample',
      source_principal: 'spiffe://cluster.local/ns/sample/sa/sleep',
      source_app: 'sleep',
      source_version: 'unknown',
      source_cluster: 'cluster1',
      destination_workload: 'helloworld-v2',
      destination_workload_namespace: 'sample',
      destination_principal: 'spiffe://cluster.local/ns/sample/sa/default',
      destination_app: 'helloworld',
      destination_version: 'v2',
      destination_service: HOST,
      destination_canonical_service: 'helloworld',
      destination_canonical_revision: 'v2',
      destination_service_name: 'helloworld',
      destination_service_namespace: 'sample',
      destination_cluster: 'cluster2',
      request_protocol: 'http',
      response_code: '200',
      grpc_response_status: '',
      response_flags: '-',
      connection_security_policy: 'unknown',
    })
    // Istio's label set, in the order its filter adds the labels.
    expect(Object.keys(labels ?? {})).toEqual([...HTTP_LABELS])
  })

  test('the server sidecar reports as destination, with mutual_tls and the service the SNI names', () => {
    expect(httpLabels(inbound)).toMatchObject({
      reporter: 'destination',
      source_workload: 'sleep',
      source_workload_namespace: 'sample',
      source_principal: 'spiffe://cluster.local/ns/sample/sa/sleep',
      source_cluster: 'cluster1',
      destination_workload: 'helloworld-v2',
      destination_principal: 'spiffe://cluster.local/ns/sample/sa/default',
      destination_service: HOST,
      destination_service_name: 'helloworld',
      destination_service_namespace: 'sample',
      destination_cluster: 'cluster2',
      connection_security_policy: 'mutual_tls',
    })
  })

  test('without metadata exchange the peer is unknown, but its certificate still names it', () => {
    const { peerWorkload: _p, ...noPeer } = inbound
    expect(httpLabels(noPeer)).toMatchObject({
      source_workload: 'unknown',
      source_canonical_service: 'unknown',
      source_canonical_revision: 'latest',
      source_app: 'unknown',
      source_version: 'unknown',
      source_cluster: 'unknown',
      source_workload_namespace: 'sample',
      source_principal: 'spiffe://cluster.local/ns/sample/sa/sleep',
    })
  })

  test('a server with no SNI to go by reports its canonical service as the service', () => {
    const { requestedServerName: _s, ...plain } = inbound
    expect(httpLabels(plain)).toMatchObject({
      destination_service: 'helloworld',
      destination_service_name: 'helloworld',
    })
  })

  test('a local reply: no route means the Host header names the service, and flags join as Envoy joins them', () => {
    const { peerWorkload: _p, peerIdentity: _i, upstreamHost: _h, ...failed } = outbound
    const nr = httpLabels({
      ...failed,
      responseCode: 404,
      responseFlags: ['NR'],
      upstreamCluster: '',
      routeName: '',
    })
    expect(nr).toMatchObject({
      destination_service: 'helloworld.sample:5000',
      destination_service_name: 'helloworld.sample:5000',
      destination_workload: 'unknown',
      destination_principal: 'unknown',
      destination_service_namespace: 'unknown',
      source_principal: 'unknown',
      response_code: '404',
      response_flags: 'NR',
    })
    expect(
      httpLabels({ ...failed, responseCode: 503, responseFlags: ['URX', 'UF'] }),
    ).toMatchObject({ response_code: '503', response_flags: 'UF,URX', destination_service: HOST })
  })

  test('PassthroughCluster is the service name, the Host header the service', () => {
    expect(
      httpLabels({
        ...outbound,
        authority: 'example.com',
        upstreamCluster: 'PassthroughCluster',
        routeName: 'allow_any',
        peerWorkload: undefined,
        peerIdentity: undefined,
      }),
    ).toMatchObject({
      destination_service: 'example.com',
      destination_service_name: 'PassthroughCluster',
      source_principal: 'unknown',
    })
  })

  test('a ServiceEntry host is its own service name', () => {
    expect(
      httpLabels({ ...outbound, upstreamCluster: 'outbound|8000||httpbin.bar.global' }),
    ).toMatchObject({
      destination_service: 'httpbin.bar.global',
      destination_service_name: 'httpbin.bar.global',
    })
  })

  test('gateway and TCP records are no requests', () => {
    expect(httpLabels({ ...outbound, direction: 'gateway' })).toBeUndefined()
    const { method: _m, ...tcp } = outbound
    expect(httpLabels(tcp)).toBeUndefined()
  })
})

describe('TCP connections', () => {
  const { method: _m, path: _p, protocol: _v, peerWorkload: _w, ...tcp } = outbound
  const connection: AccessRecord = {
    ...tcp,
    responseCode: 0,
    upstreamCluster: 'outbound|9000||tcp-echo.sample.svc.cluster.local',
    authority: undefined,
  }

  test('carry no response code or gRPC status, and the peer only as far as its certificate says', () => {
    const labels = tcpLabels(connection)
    expect(labels).toMatchObject({
      reporter: 'source',
      request_protocol: 'tcp',
      destination_service: 'tcp-echo.sample.svc.cluster.local',
      destination_service_name: 'tcp-echo',
      destination_workload: 'unknown',
      destination_workload_namespace: 'sample',
      destination_principal: 'spiffe://cluster.local/ns/sample/sa/default',
      response_flags: '-',
      connection_security_policy: 'unknown',
    })
    expect(labels).not.toHaveProperty('response_code')
    expect(labels).not.toHaveProperty('grpc_response_status')
    expect(tcpLabels(outbound)).toBeUndefined()
    expect(tcpLabels({ ...connection, direction: 'gateway' })).toBeUndefined()
  })
})
