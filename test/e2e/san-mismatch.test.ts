// Envoy's SAN check at mesh level: a client sidecar only accepts an upstream whose SPIFFE id is one
// the service runs as (the cluster's subjectAltNames, from the service accounts of its endpoints).
// On examples/two-networks.yaml plus httpbin in cluster1, cluster1's registry gains a Service whose
// one endpoint claims helloworld's service account but whose address is httpbin's pod; sleep's
// sidecar completes the TLS handshake, rejects httpbin's certificate on the SAN list, retries as
// Istio does and answers 503 UF,URX, and no request reaches httpbin's app. The services whose
// endpoints are where the registry says they are keep working.

import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import type { EndpointRecord } from '../../src/control-plane/index.ts'
import { clusterId, namespace, serviceAccount, serviceHost } from '../../src/model/index.ts'
import { type Mesh, startMesh } from '../../src/runtime/index.ts'
import { callFrom, recordsOf } from '../helpers/mesh.ts'
import { load } from '../helpers/topologies.ts'

const c1 = clusterId('cluster1')
const SLEEP = 'cluster1/sample/sleep'
const HELLO = 'http://helloworld.sample:5000/hello'
const HTTPBIN = 'http://httpbin.sample:8000/get'
const CANARY = serviceHost('helloworld-canary.sample.svc.cluster.local')
const CANARY_CLUSTER = `outbound|5000||${CANARY}`
/** A ClusterIP in cluster1's serviceCIDR that the inventory leaves free. */
const CANARY_VIP = '10.100.0.200'
const REQUESTS = 3

/** Envoy's transport failure reason for a peer certificate outside the SAN list. */
const SAN_FAILURE =
  'TLS_error:|268435581:SSL_routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify_cert_failed:_verify_SAN_list:TLS_error_end'

/** The two-networks example with Istio's httpbin sample added to cluster1. */
function twoNetworksWithHttpbin() {
  const example = readFileSync(new URL('../../examples/two-networks.yaml', import.meta.url), 'utf8')
  const anchor = '\n    - clusterName: cluster2'
  expect(example).toContain(anchor)
  return load(
    example.replace(
      anchor,
      `\n        - { app: httpbin, namespace: sample, sample: httpbin }\n${anchor}`,
    ),
  )
}

/**
 * The pods and cluster1 registry a test needs, with a Service `helloworld-canary` (address
 * CANARY_VIP, port 5000 to httpbin's container port) and no endpoints yet.
 */
function addCanaryService(mesh: Mesh) {
  const sleep = mesh.pod(SLEEP)
  const httpbin = mesh.pod('cluster1/sample/httpbin')
  const cluster1 = mesh.clusters.get(c1)
  const registry = cluster1?.controlPlane?.registry
  if (!sleep?.sidecar || !httpbin || !cluster1 || !registry) throw new Error('mesh incomplete')
  const httpbinPort = cluster1.inventory.services.find((s) => s.name === 'httpbin')?.ports[0]
  if (!httpbinPort) throw new Error('httpbin missing from cluster1')
  expect(cluster1.inventory.services.map((s) => s.clusterIP)).not.toContain(CANARY_VIP)
  registry.upsertService({
    cluster: c1,
    namespace: namespace('sample'),
    name: 'helloworld-canary',
    host: CANARY,
    clusterIP: CANARY_VIP,
    ports: [{ name: 'http', port: 5000, targetPort: httpbinPort.targetPort, protocol: 'HTTP' }],
  })
  return { sleep, sidecar: sleep.sidecar, httpbin, registry, httpbinPort }
}

describe('SAN check at the client sidecar', () => {
  test('an endpoint whose pod presents another service account is refused 503 UF,URX with verify_SAN_list, and never reaches the app', async () => {
    await using mesh = await startMesh(twoNetworksWithHttpbin())
    const { sleep, sidecar, httpbin, registry, httpbinPort } = addCanaryService(mesh)
    const helloV1 = registry
      .endpoints()
      .find((e) => e.cluster === c1 && e.host === 'helloworld.sample.svc.cluster.local')
    if (!helloV1) throw new Error('helloworld missing from cluster1')

    // A Service whose only endpoint is, by the registry, a helloworld pod (service account
    // `default`) but whose address and port are httpbin's: a stale or misrouted endpoint.
    const misrouted: EndpointRecord = {
      ...helloV1,
      host: CANARY,
      pod: 'helloworld-canary-stale',
      ip: httpbin.ip,
    }
    registry.upsertEndpoint(misrouted)
    await mesh.settled()

    // Sleep's only endpoint for the Service is httpbin's pod, and istiod's SAN list is the
    // service account the endpoint claims, not the one httpbin runs as.
    const config = sidecar.config
    const canary = config?.clusters.find((c) => c.name === CANARY_CLUSTER)
    expect(canary?.tls?.subjectAltNames).toEqual(['spiffe://cluster.local/ns/sample/sa/default'])
    const assignment = config?.endpoints.find((a) => a.clusterName === CANARY_CLUSTER)
    expect(assignment?.endpoints.map((e) => `${e.address}:${e.port}`)).toEqual([
      `${httpbin.ip}:${httpbinPort.targetPort}`,
    ])
    expect(httpbin.sidecar?.node.serviceAccount).toBe('httpbin')

    const records = recordsOf(mesh)
    const failsBefore = (await sidecar.stats()).upstream_cx_connect_fail ?? 0
    const url = `http://${CANARY_VIP}:5000/hello`
    for (let i = 0; i < REQUESTS; i++) {
      const r = await callFrom(mesh, SLEEP, url)
      expect(r.status).toBe(503)
      // Envoy's body keeps the reason as BoringSSL and its validator wrote it (spaces and all).
      expect(r.body).toBe(
        'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:verify cert failed: verify SAN list:TLS_error_end',
      )
    }

    const outbound = records.filter((r) => r.direction === 'outbound' && r.proxy === sleep.name)
    expect(outbound).toHaveLength(REQUESTS)
    for (const r of outbound) {
      expect(r).toMatchObject({
        responseCode: 503,
        responseCodeDetails: `upstream_reset_before_response_started{remote_connection_failure,${SAN_FAILURE}}`,
        upstreamTransportFailureReason: SAN_FAILURE,
        upstreamCluster: CANARY_CLUSTER,
        upstreamHost: `${httpbin.ip}:${httpbinPort.targetPort}`,
        authority: `${CANARY_VIP}:5000`,
      })
      expect(r.responseFlags).toEqual(['UF', 'URX'])
      expect(r.upstreamTransportFailureReason).toContain('verify_SAN_list')
    }
    // Istio's default retries: three attempts per request, each one refused on the SAN list.
    expect(((await sidecar.stats()).upstream_cx_connect_fail ?? 0) - failsBefore).toBe(3 * REQUESTS)
    // The handshake was the end of it: httpbin's sidecar served no request.
    expect(records.filter((r) => r.proxy === httpbin.name)).toEqual([])

    // The refusal is per endpoint: helloworld, and httpbin under its own name, still answer.
    const hello = await callFrom(mesh, SLEEP, HELLO)
    expect(hello.status).toBe(200)
    expect(hello.body).toMatch(/^Hello version: v[12], instance: helloworld-v[12]-/)
    const own = await callFrom(mesh, SLEEP, HTTPBIN)
    expect(own.status).toBe(200)
    const served = records.filter((r) => r.direction === 'inbound' && r.proxy === httpbin.name)
    expect(served).toHaveLength(1)
    expect(served[0]).toMatchObject({
      responseCode: 200,
      path: '/get',
      peerIdentity: 'spiffe://cluster.local/ns/sample/sa/sleep',
    })
  })

  test('a push that changes the SAN list closes pooled connections, so the next request is checked against it', async () => {
    await using mesh = await startMesh(twoNetworksWithHttpbin())
    const { sidecar, httpbin, registry } = addCanaryService(mesh)
    const own = registry.endpoints().find((e) => e.cluster === c1 && e.pod === httpbin.name)
    if (!own) throw new Error('httpbin missing from cluster1')
    // First the endpoint tells the truth (httpbin's own account): a pooled connection is made.
    const endpoint: EndpointRecord = { ...own, host: CANARY, pod: 'helloworld-canary-0' }
    registry.upsertEndpoint(endpoint)
    await mesh.settled()
    const url = `http://${CANARY_VIP}:5000/get`
    expect((await callFrom(mesh, SLEEP, url)).status).toBe(200)

    // Then it claims another account: the kept connection must not carry the next request.
    registry.upsertEndpoint({ ...endpoint, serviceAccount: serviceAccount('default') })
    await mesh.settled()
    const canary = sidecar.config?.clusters.find((c) => c.name === CANARY_CLUSTER)
    expect(canary?.tls?.subjectAltNames).toEqual(['spiffe://cluster.local/ns/sample/sa/default'])
    const r = await callFrom(mesh, SLEEP, url)
    expect(r.status).toBe(503)
    expect(r.body).toContain('verify SAN list')
  })
})
