// Connections that match: mTLS runs end to end between the two workloads through the gateway,
// one backend per connection, half-close, config swaps, the access record, and close().

import { expect, test, vi } from 'vitest'
import { formatAccessLog } from '../../../src/proxy/index.ts'
import {
  CLIENT_IP,
  closed,
  GATEWAY_IP,
  gatewayConfig,
  HELLOWORLD,
  SLEEP,
  SNI,
  startHarness,
} from './fixture.ts'

test('a sidecar in network1 completes mTLS with a helloworld pod in network2 through the gateway', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod]))

  const client = await h.connect()
  // Certificate, identity and ALPN all come from the pod: the gateway holds no certificate.
  expect(client.serverId).toBe(HELLOWORLD)
  expect(client.alpn).toBe('istio-http/1.1')
  // TLS 1.3: the client is done before the pod has checked the client's certificate.
  await vi.waitFor(() => expect(pod.peers).toEqual([SLEEP]))
  expect(await client.send('ping')).toBe('helloworld-v2:ping')
  expect(await client.send('pong')).toBe('helloworld-v2:pong')
  expect(h.gateway.stats()).toMatchObject({
    downstream_cx_total: 1,
    downstream_cx_active: 1,
    upstream_cx_total: 1,
    [`cluster.${SNI}.upstream_cx_total`]: 1,
    no_filter_chain_match: 0,
  })
})

test('a ClientHello that arrives in small pieces is reassembled, matched and replayed intact', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod]))

  // A replayed hello that differed by one byte would break the handshake transcript.
  const client = await h.connect({ segmentBytes: 64 })
  expect(client.serverId).toBe(HELLOWORLD)
  expect(await client.send('ping')).toBe('helloworld-v2:ping')
})

test('the gateway picks one backend per connection, and the whole connection stays on it', async () => {
  const h = await startHarness()
  const a = await h.startBackend('10.20.0.10', 'helloworld-v2-a')
  const b = await h.startBackend('10.20.0.11', 'helloworld-v2-b')
  h.gateway.apply(gatewayConfig(1, [a, b], { lbPolicy: 'ROUND_ROBIN' }))

  const first = await h.connect()
  const second = await h.connect()
  const servedBy = async (client: typeof first) => {
    const replies = [await client.send('1'), await client.send('2'), await client.send('3')]
    return new Set(replies.map((r) => r.split(':')[0]))
  }
  const one = await servedBy(first)
  const two = await servedBy(second)
  expect(one.size).toBe(1)
  expect(two.size).toBe(1)
  expect([...one, ...two].sort()).toEqual(['helloworld-v2-a', 'helloworld-v2-b'])
  expect([a.peers.length, b.peers.length]).toEqual([1, 1])
})

test('a client that half-closes after its request still receives the whole reply', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod]))

  const client = await h.connect()
  let reply = ''
  client.tls.on('data', (chunk: string) => {
    reply += chunk
  })
  client.tls.end('request')
  await closed(client.tls)
  expect(reply).toBe('helloworld-v2:requesthelloworld-v2 got "request" before the end')
})

test('the access record of a forwarded connection names the pod, the SNI cluster and both address pairs', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod]))

  const client = await h.connect()
  await client.send('ping')
  client.tls.end()
  await closed(client.dialed.socket)
  await vi.waitFor(() => expect(h.records).toHaveLength(1))

  const record = h.records[0]
  expect(record).toMatchObject({
    proxy: 'istio-eastwestgateway-5b7f9c6d4-q8xkz',
    namespace: 'istio-system',
    cluster: 'cluster2',
    direction: 'gateway',
    responseCode: 0,
    responseFlags: [],
    upstreamHost: '10.20.0.10:5000',
    upstreamCluster: SNI,
    upstreamLocalAddress: expect.stringMatching(/^10\.20\.0\.5:\d+$/),
    downstreamLocalAddress: `${GATEWAY_IP}:15443`,
    downstreamRemoteAddress: `${CLIENT_IP}:${client.dialed.local.port}`,
    requestedServerName: SNI,
    // Every byte of the TLS session, handshake included, both ways.
    bytesReceived: client.dialed.socket.bytesWritten,
    bytesSent: client.dialed.socket.bytesRead,
  })
  expect(record?.method).toBeUndefined()
  expect(record?.routeName).toBeUndefined()
  expect(record?.durationMs).toBeGreaterThanOrEqual(0)
  expect(h.gateway.stats()).toMatchObject({
    bytes_received: client.dialed.socket.bytesWritten,
    bytes_sent: client.dialed.socket.bytesRead,
    downstream_cx_active: 0,
    downstream_cx_destroy: 1,
  })
  const sni = SNI.replaceAll('.', '\\.')
  expect(record && formatAccessLog(record)).toMatch(
    new RegExp(
      `^\\[\\S+\\] "- - -" 0 - - - "-" \\d+ \\d+ \\d+ - "-" "-" "-" "-" "10\\.20\\.0\\.10:5000" ${sni} ` +
        `10\\.20\\.0\\.5:\\d+ 10\\.20\\.0\\.5:15443 10\\.10\\.0\\.2:\\d+ ${sni} -$`,
    ),
  )
})

test('new connections use a newly applied config while open ones finish on the old one', async () => {
  const h = await startHarness()
  const v1 = await h.startBackend('10.20.0.10', 'helloworld-v1')
  const v2 = await h.startBackend('10.20.0.11', 'helloworld-v2')
  expect(h.gateway.version).toBeUndefined()
  h.gateway.apply(gatewayConfig(1, [v1]))
  const before = await h.connect()

  h.gateway.apply(gatewayConfig(2, [v2]))
  expect(h.gateway.version).toBe(2)
  const after = await h.connect()
  expect(await before.send('old')).toBe('helloworld-v1:old')
  expect(await after.send('new')).toBe('helloworld-v2:new')
})

test('close() destroys open connections and resolves once they are closed', async () => {
  const h = await startHarness()
  const pod = await h.startBackend('10.20.0.10', 'helloworld-v2')
  h.gateway.apply(gatewayConfig(1, [pod]))
  const client = await h.connect()
  await client.send('ping')

  await h.gateway.close()
  await closed(client.tls)
  expect(h.gateway.stats()).toMatchObject({ downstream_cx_active: 0, downstream_cx_destroy: 1 })
  await expect(h.dialGateway()).rejects.toMatchObject({ code: 'ECONNREFUSED' })
})
